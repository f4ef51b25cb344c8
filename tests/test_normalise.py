"""Value normaliser: every form of SCHEMA.md, clear errors, and generated round trips."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.normalise import NormaliseError, chinese_to_decimal, normalise, parse_money, parse_percent


@pytest.mark.parametrize("surface,yuan,approx,per", [
    ("390.88万元", 3908800, False, None),
    ("2.3亿元", 230000000, False, None),
    ("0.75元", 0.75, False, None),
    ("30余万元", 300000, True, None),
    ("1200多万元", 12000000, True, None),
    ("6.59万", 65900, False, None),
    ("三千万元", 30000000, False, None),
    ("一百二十万元", 1200000, False, None),
    ("1,200元", 1200, False, None),
    ("12,345.60元", 12345.6, False, None),
    ("3000元/月", 3000, False, "月"),
    ("100元/天", 100, False, "天"),
    ("2333.67 万元", 23336700, False, None),
    ("５０万元", 500000, False, None),
    ("１２．５万元", 125000, False, None),
    ("1,862.5千元", 1862500, False, None),
    ("2亿", 200000000, False, None),
    ("十五万元", 150000, False, None),
    ("两亿三千万元", 230000000, False, None),
])
def test_money_forms(surface, yuan, approx, per):
    value, approx_inside, per_unit = parse_money(surface)
    assert value == pytest.approx(yuan, rel=1e-12)
    assert (approx_inside, per_unit) == (approx, per)


@pytest.mark.parametrize("surface,fraction", [
    ("100%", 1.0), ("97.50%", 0.975), ("0.1%", 0.001), ("0.0046‰", 0.0000046), ("0.9‰", 0.0009),
    ("百分之九十五", 0.95), ("百分之百", 1.0), ("９８．５％", 0.985), ("百分之九十九点五", 0.995), ("5 %", 0.05),
])
def test_percent_forms(surface, fraction):
    assert parse_percent(surface) == pytest.approx(fraction, rel=1e-12)


@pytest.mark.parametrize("text,surface,cmp,approx", [
    ("目标值≥99%。", "99%", ">=", False),
    ("设定值为≧95%", "95%", ">=", False),
    ("满意度不低于90%", "90%", ">=", False),
    ("不少于50万元", "50万元", ">=", False),
    ("达95%及以上", "95%", ">=", False),
    ("达到85%以上", "85%", ">=", False),
    ("控制在0.1%以内", "0.1%", "<=", False),
    ("不超过5%", "5%", "<=", False),
    ("≤3%", "3%", "<=", False),
    ("在5%以下", "5%", "<=", False),
    ("高于60%", "60%", ">", False),
    ("超过150万元", "150万元", ">", False),
    ("低于2%", "2%", "<", False),
    ("约50万元", "50万元", "=", True),
    ("近200万元", "200万元", "=", True),
    ("100万元左右", "100万元", "=", True),
    ("预决算公开率=100%", "100%", "=", False),
    ("已支付47万元", "47万元", "=", False),
    ("支出不足30%", "30%", "<", False),
    ("每公里节约1.8万元", "1.8万元", "=", False),
    ("实际约为88%", "88%", "=", True),
    ("标准不低于每人每年8,000元", "8,000元", ">=", False),
])
def test_comparator_and_approx_from_context(text, surface, cmp, approx):
    start = text.index(surface)
    norm = normalise(text, start, start + len(surface), "PERCENT" if "%" in surface else "MONEY")
    assert (norm.cmp, norm.approx) == (cmp, approx)


@pytest.mark.parametrize("surface", ["万元", "abc元", "1,2,3元", "12.万元", "百分之", "%", "三五五元万"])
def test_unreadable_values_raise_with_the_surface(surface):
    label = "PERCENT" if ("%" in surface or "百分" in surface) else "MONEY"
    with pytest.raises(NormaliseError) as err:
        normalise(surface, 0, len(surface), label)
    assert repr(surface) in str(err.value) or surface in str(err.value)


def test_indicator_has_no_value():
    with pytest.raises(NormaliseError):
        normalise("预算执行率", 0, 5, "INDICATOR")


@pytest.mark.parametrize("numeral,value", [("十", 10), ("二十", 20), ("一百零五", 105), ("三千万", 30000000),
                                           ("一亿二千万", 120000000), ("九五", 95), ("二点五", Decimal("2.5"))])
def test_chinese_numerals(numeral, value):
    assert chinese_to_decimal(numeral) == Decimal(value)


UNITS = {"元": 1, "千元": 1000, "万元": 10**4, "亿元": 10**8, "万": 10**4}
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@given(cents=st.integers(min_value=1, max_value=10**12), unit=st.sampled_from(sorted(UNITS)),
       sep=st.booleans(), space=st.booleans(), full=st.booleans())
def test_generated_amounts_round_trip(cents, unit, sep, space, full):
    amount = Decimal(cents) / 100
    number = f"{amount:,.2f}" if sep else f"{amount:.2f}"
    surface = number + (" " if space else "") + unit
    if full:
        surface = surface.translate(FULLWIDTH)
    value, approx, per = parse_money(surface)
    assert value == pytest.approx(float(amount * UNITS[unit]), rel=1e-12)
    assert not approx and per is None


@given(basis=st.integers(min_value=0, max_value=10**6), permille=st.booleans())
def test_generated_percentages_round_trip(basis, permille):
    number = Decimal(basis) / 1000
    surface = f"{number}{'‰' if permille else '%'}"
    assert parse_percent(surface) == pytest.approx(float(number / (1000 if permille else 100)), rel=1e-12, abs=1e-15)


@given(n=st.integers(min_value=1, max_value=99_999_999))
def test_generated_chinese_numerals_round_trip(n):
    assert chinese_to_decimal(to_chinese(n)) == n


def to_chinese(n: int) -> str:
    """Independent writer of Chinese numerals (standard form with 零), for the round trip."""
    digits = "零一二三四五六七八九"

    def below_10000(k: int) -> str:
        out, zero = "", False
        for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            d = k // size % 10
            if d:
                out += ("零" if zero and out else "") + digits[d] + unit
                zero = False
            else:
                zero = True
        return out

    high, low = divmod(n, 10000)
    if not high:
        return below_10000(low)
    return below_10000(high) + "万" + (("零" if low and low < 1000 else "") + below_10000(low) if low else "")


def test_gold_corpus_values_are_reproduced():
    """The normaliser against every hand-written value of the corpus (the annotators wrote them)."""
    from pipeline.corpus import load_documents
    from pipeline.tables import read_tables

    wrong = []
    for doc in load_documents("annotations"):
        # Bare numbers the table layer reads get their value from it in the pipeline, not from here.
        from_tables = {(t.start, t.end): t for table in read_tables(doc.text) for t in table.spans if t.value is not None}
        for s in doc.spans:
            t = from_tables.get((s.start, s.end))
            if s.is_value and t is not None and t.label == s.label:
                if abs(t.value - s.value) > 1e-6 * max(1, abs(s.value)) or t.cmp != s.cmp:
                    wrong.append((doc.id, doc.surface(s), s.value, s.cmp, "table layer", t.value, t.cmp))
            elif s.is_value:
                try:
                    n = normalise(doc.text, s.start, s.end, s.label)
                except NormaliseError as err:
                    wrong.append((doc.id, doc.surface(s), s.value, str(err)))
                    continue
                if abs(n.value - s.value) > 1e-6 * max(1, abs(s.value)) or n.cmp != s.cmp or n.approx != s.approx \
                        or (n.per or None) != (s.per or None):
                    wrong.append((doc.id, doc.surface(s), s.value, s.cmp, s.approx, s.per, n))
    assert wrong == []
