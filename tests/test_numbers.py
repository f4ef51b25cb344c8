"""One grammar for amounts (pipeline.numbers): what the value patterns find is what the normaliser reads.

Named tests follow the number rows of issue 14 and the money forms of issue 12; the property
tests at the end write amounts in every form with a writer of their own and check that the
value patterns find exactly the written span and the normaliser reads exactly its value.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.amounts import find_amounts
from pipeline.normalise import NormaliseError, normalise, parse_money, parse_percent
from pipeline.numbers import read_numeral
from pipeline.rules import value_matches


def found(text: str) -> list[tuple[str, str, float]]:
    """(surface, label, value) of every span the value patterns find, valued by the normaliser."""
    return [(text[s:e], label, normalise(text, s, e, label).value) for s, e, label in value_matches(text)]


def only(text: str, surface: str, label: str, value: float) -> None:
    """The value patterns find exactly ``surface`` in ``text`` and the normaliser reads ``value``."""
    got = found(text)
    assert [(s, lab) for s, lab, _ in got] == [(surface, label)], got
    assert got[0][2] == pytest.approx(value, rel=1e-12, abs=1e-12)


# ------------------------------------------------------------------------------------------
# Issue 14: the number rows


@pytest.mark.parametrize("text,surface,label,value", [
    ("年中预算调整数为-50万元，调整后预算", "-50万元", "MONEY", -500000),
    ("增减额为－12.90万元。", "－12.90万元", "MONEY", -129000),
    ("\"三公\"经费变动率为－3.2%，", "－3.2%", "PERCENT", -0.032),
    ("变动率为负3.2%。", "负3.2%", "PERCENT", -0.032),
    ("同比增长-22.2%", "-22.2%", "PERCENT", -0.222),
    ("本年度该项目资金为负10000元。", "负10000元", "MONEY", -10000),
    ("结余为负四十五亿零四百零四万元。", "负四十五亿零四百零四万元", "MONEY", -4504040000),
    ("年初预算210.00万元，调整数-50.00万元，调整后160.00万元", "-50.00万元", "MONEY", -500000),
])
def test_minus_sign_is_part_of_the_value(text, surface, label, value):
    if text.count("万元") > 1:  # several amounts: check the signed one
        got = [(t, v) for t, _, v in found(text) if t == surface]
        assert got == [(surface, pytest.approx(value))], found(text)
        return
    only(text, surface, label, value)


@pytest.mark.parametrize("word", list("数几上成好第额值为") + ["调整数", "增减额", "变动率"])
@pytest.mark.parametrize("sign", ["-", "－", "负"])
def test_a_sign_after_any_word_is_never_dropped(word, sign):
    only(f"{word}{sign}50.00万元，", f"{sign}50.00万元", "MONEY", -500000)
    only(f"{word}{sign}3.2%，", f"{sign}3.2%", "PERCENT", -0.032)


@pytest.mark.parametrize("text,surface,label,value", [
    ("找出酒精量在5-20%之间的产品", "20%", "PERCENT", 0.2),  # a range dash, not a sign
    ("同比下降3.2%", "3.2%", "PERCENT", 0.032),  # SCHEMA: 下降 stays positive, its role says change
    ("误差控制在正负5%以内", "5%", "PERCENT", 0.05),  # 正负 is no sign
    ("负责管理项目资金50万元", "50万元", "MONEY", 500000),  # 负责 is no sign
])
def test_dashes_and_words_that_are_not_signs(text, surface, label, value):
    only(text, surface, label, value)


def test_zero_point_five_wan():
    only("预留周转金零点五万元。", "零点五万元", "MONEY", 5000)
    assert parse_money("零点五万元")[0] == 5000
    only("单价十五点七元。", "十五点七元", "MONEY", 15.7)
    only("补助二点五亿元", "二点五亿元", "MONEY", 250000000)


@pytest.mark.parametrize("surface,value", [
    ("壹佰万元", 1000000), ("叁佰伍拾万元", 3500000), ("壹佰伍拾元", 150), ("壹拾贰万元", 120000),
    ("壹万伍仟元", 15000), ("肆拾肆元", 44), ("拾万零五十六元", 100056), ("十万柒仟捌佰伍拾肆元", 107854),
    ("拾亿零六万零五百零六元", 1000060506), ("七十八万五佰零六元", 780506),
])
def test_capital_numerals_are_found(surface, value):
    only(f"合同总价{surface}，全年完成。", surface, "MONEY", value)


@pytest.mark.parametrize("surface,value", [
    ("四百五元", 450), ("一万三元", 13000), ("两千四百五元", 2450), ("九十二万四元", 924000), ("百三元", 130),
    ("千三元", 1300), ("一千陆元", 1600), ("两千三点一元", 2300.1), ("五亿零六元", 500000006),
])
def test_elliptical_numerals(surface, value):
    only(f"本年度该项目资金为{surface}。", surface, "MONEY", value)


@pytest.mark.parametrize("surface,value", [
    ("5万4千6百元", 54600), ("5亿1万4千6百元", 500014600), ("3万4000元", 34000), ("25万6千元", 256000),
    ("1千零20元", 1020), ("2千零30万元", 20300000), ("4.78万亿元", 4.78e12), ("1,100.9亿元", 110090000000),
    ("1,862.5千元", 1862500), ("2.5千万元", 25000000),
])
def test_arabic_digits_mixed_with_units(surface, value):
    only(f"本年度该项目资金为{surface}。", surface, "MONEY", value)


@pytest.mark.parametrize("surface,value", [
    ("百分之22", 0.22), ("百分之１２０", 1.2), ("百分之1,111", 11.11), ("百分之５６.２", 0.562), ("百分之九十五", 0.95),
    ("百分之百", 1.0), ("百分之一百二十点五", 1.205), ("千分之一", 0.001), ("千分之２．４", 0.0024),
    ("千分之一百一十一点一一二", 0.111112), ("仟分之贰", 0.002), ("0.9‰", 0.0009), ("５．５％", 0.055),
])
def test_percent_and_per_mille_words(surface, value):
    only(f"完成率为{surface}。", surface, "PERCENT", value)


@pytest.mark.parametrize("surface,value", [
    ("肆佰陸拾元", 460), ("壹萬三元", 13000), ("4.78萬億元", 4.78e12), ("負三十二元", -32), ("五億零六元", 500000006),
    ("壹百五十四點零元", 154), ("兩千四百五元", 2450), ("一百萬圓", 1000000),
])
def test_traditional_script(surface, value):
    only(f"本年度該項目資金為{surface}。", surface, "MONEY", value)
    only("完成率為百分之一百二十點五。", "百分之一百二十點五", "PERCENT", 1.205)


# ------------------------------------------------------------------------------------------
# Issue 12: money forms on other departments' reports


@pytest.mark.parametrize("text,surface,per", [
    ("生均公用经费按800元/生·年拨付", "800元/生·年", "生·年"),
    ("营养餐补助4元/生/天，", "4元/生/天", "生/天"),
    ("按720元/人·年的标准", "720元/人·年", "人·年"),
    ("能繁母猪补贴60元/头。", "60元/头", "头"),
    ("补助3000元/月的标准", "3000元/月", "月"),
    ("接种服务补助按4元/剂次的标准拨付", "4元/剂次", "剂次"),
    ("短视频外包制作按800元/条结算", "800元/条", "条"),
    ("低于年初测算的1,300元/批次。", "1,300元/批次", "批次"),
    ("村组道路硬化成本≤38万元/公里", "38万元/公里", "公里"),
    ("预算100万元/年初调整", "100万元", None),  # 年初 is no per-unit
])
def test_per_unit_rates_run_to_the_end_of_the_unit(text, surface, per):
    s = text.index(surface)
    assert value_matches(text) == [(s, s + len(surface), "MONEY")]
    assert normalise(text, s, s + len(surface), "MONEY").per == per


def test_yi_yu_yuan_is_money_and_approximate():
    text = "审计查出问题金额2亿余元，促进增收节支。"
    only(text, "2亿余元", "MONEY", 200000000)
    assert normalise(text, 8, 12, "MONEY").approx is True


@pytest.mark.parametrize("text,surface,value", [
    ("数字城管平台运维费315.40万；违法建设治理", "315.40万", 3154000),
    ("全年决算18.6万，其中公务用车", "18.6万", 186000),
    ("比上年减少1.24万，下降11.17%", "1.24万", 12400),
    ("尚有64万质保金待验收合格后支付", "64万", 640000),
])
def test_bare_wan_is_money_where_the_context_says_so(text, surface, value):
    if "减少" in text:
        text = "“三公”经费支出9.86万元，" + text
        assert [text[s:e] for s, e, _ in value_matches("比上年减少1.24万。")] == []  # alone: could be a count
    got = [(text[s:e], lab) for s, e, lab in value_matches(text) if lab == "MONEY" and "9.86" not in text[s:e]]
    assert got == [(surface, "MONEY")]
    s = text.index(surface)
    assert normalise(text, s, s + len(surface), "MONEY").value == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "项目投入资金到位后惠及65万农村人口。", "全年接待游客12万人次。", "新建高标准农田3.2万亩。",
    "肺结核报告发病率为152.30/10万，较上年下降", "受益群众2.3万，资金全部到位", "巡河1.86万余次",
    "亿元GDP生产安全事故死亡率", "按照〔2019〕20号文件要求", "第23页", "（10分）", "2023年度",
    "每万元GDP能耗", "0.022人/亿元", "每百元收入", "数十万元的资金", "约三五万元", "共计七八十万元",
])
def test_counts_rates_and_names_are_not_money(text):
    assert [lab for _, _, lab in value_matches(text) if lab == "MONEY"] == [], found(text)
    assert not any(lab == "PERCENT" and "/" in text for _, _, lab in value_matches(text))


@pytest.mark.parametrize("text,surface,value", [
    ("年初预算数为2356.40 万\n元，其中一般公共预算", "2356.40 万\n元", 23564000),
    ("年初预算 2333.67 万元，执行率", "2333.67 万元", 23336700),
    ("本年度该项目资金为1000  万元。", "1000  万元", 10000000),
    ("城乡最低生活保障\n资金5,126.60 万\n元，其中", "5,126.60 万\n元", 51266000),
])
def test_white_space_and_a_line_break_inside_an_amount(text, surface, value):
    only(text, surface, "MONEY", value)


@pytest.mark.parametrize("text", [
    "三五万元", "七八十万元", "1,2,3元", "12.万元", "数百万元", "百万元", "千元", "两百点元", "一万万元", "五零元",
    "一千零元", "3万40元", "1千20元",
])
def test_a_form_the_grammar_cannot_read_gives_no_span_and_no_value(text):
    spans = [(text[s:e], lab) for s, e, lab in value_matches(text)]
    # nothing over the whole form (a smaller complete amount inside it would be a wrong value)
    assert spans == [], spans
    with pytest.raises(NormaliseError):
        parse_money(text)


@pytest.mark.parametrize("text", [
    "填报说明：1.预算执行率=全年执行数/全年预算数×100%；2.预算执行率未达到90%的，须在偏差原因分析栏说明原因。",
    "执行率低于90%或指标未完成的，应在偏差原因栏中说明原因",
])
def test_filling_instructions_of_the_form_are_not_marked(text):
    assert value_matches(text) == []
    assert found("执行率低于90%，主要是尾款未付。") == [("90%", "PERCENT", 0.9)]


def test_titles_are_never_marked():
    assert found("《关于拨付100万元的通知》，拨付100万元。") == [("100万元", "MONEY", 1000000)]


# ------------------------------------------------------------------------------------------
# Bare numbers whose unit stands elsewhere (SCHEMA §2, §4a)


def value_at(text: str, surface: str, label: str, occurrence: int = 0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return normalise(text, start, start + len(surface), label)


def test_bare_numbers_take_the_unit_of_their_column_or_block():
    tab = ("项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
           "年度资金总额\t216.00\t236.50\t228.74\t10\t96.72%\t9.7\n")
    assert value_at(tab, "236.50", "MONEY").value == pytest.approx(2365000)
    pipe = ("预算执行情况|年初预算数（元）|全年执行数（元）|执行率(%)\n"
            "年度资金总额|386.50|395.12|98.22\n")
    assert value_at(pipe, "386.50", "MONEY").value == pytest.approx(386.5)
    assert value_at(pipe, "98.22", "PERCENT").value == pytest.approx(0.9822)
    line = "单位：万元\n项目资金\t年初预算数\n年度资金总额\t150.00\n"
    assert value_at(line, "150.00", "MONEY").value == pytest.approx(1500000)


def test_bare_numbers_take_the_unit_of_the_next_cell():
    assert value_at("年初预算 | 850 | 万元 |", "850", "MONEY").value == 8500000
    norm = value_at("满意度 | ≥ | 95 | % | 96", "95", "PERCENT")
    assert (norm.value, norm.cmp) == (pytest.approx(0.95), ">=")
    assert value_at("人均成本|≤|1800|元/人|1750", "1800", "MONEY").value == 1800


def test_bare_number_without_any_unit_is_refused():
    with pytest.raises(NormaliseError):
        value_at("年度资金总额\t150.00\t180.00", "150.00", "MONEY")


# ------------------------------------------------------------------------------------------
# Property tests: amounts written in every form, found and read exactly

LOWER = "零一二三四五六七八九"
CAPITAL = "零壹贰叁肆伍陆柒捌玖"
UNITS_LOWER, UNITS_CAPITAL = ("十", "百", "千"), ("拾", "佰", "仟")


def below_10000(k: int, digits: str, units: tuple[str, str, str]) -> str:
    out, zero = "", False
    for unit, size in ((units[2], 1000), (units[1], 100), (units[0], 10), ("", 1)):
        d = k // size % 10
        if d:
            out += (digits[0] if zero and out else "") + digits[d] + unit
            zero = False
        else:
            zero = True
    return out


def to_chinese(n: int, digits: str = LOWER, units: tuple[str, str, str] = UNITS_LOWER, wan: str = "万",
               yi: str = "亿") -> str:
    """The standard Chinese numeral of ``n`` ≥ 1 (零 for skipped places), written independently of the reader."""

    def tail(low: int, size: int) -> str:
        if not low:
            return ""
        return (digits[0] if low < size // 10 else "") + write(low)

    def write(k: int) -> str:
        if k < 10**4:
            return below_10000(k, digits, units)
        if k < 10**8:
            high, low = divmod(k, 10**4)
            return below_10000(high, digits, units) + wan + tail(low, 10**4)
        high, low = divmod(k, 10**8)
        return write(high) + yi + tail(low, 10**8)

    return write(n)


def elliptical(numeral: str) -> str | None:
    """四百五十 → 四百五, 一万三千 → 一万三: the last unit left out where it is one step below the one before."""
    below = {"百": "十", "千": "百", "万": "千", "亿": "千万"}
    for high, low in below.items():
        for digit in LOWER[1:]:
            if numeral.endswith(high + digit + low):
                return numeral[: -len(low)]
    return None


def to_mixed(n: int) -> str:
    """Arabic digits with Chinese units: 5万4千6百 (each digit with its unit)."""
    chinese = to_chinese(n)
    return chinese.translate(str.maketrans({c: str(i) for i, c in enumerate(LOWER) if i}))


FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
SCALE = {"元": 1, "千元": 10**3, "万元": 10**4, "亿元": 10**8}
PREFIXES = ("本年度该项目资金为", "年初预算", "调整预算数为", "实际支出", "其中：", "合计", "\n")
SUFFIXES = ("。", "，其中", "；", "\n", "", "，执行进度正常")


@st.composite
def money(draw) -> tuple[str, Decimal, bool]:
    """(surface, value in yuan, approx) of an amount of money in one of the forms."""
    form = draw(st.sampled_from(["arabic", "thousands", "fullwidth", "decimal", "chinese", "capital", "traditional",
                                 "elliptical", "mixed", "chinese_decimal", "approx"]))
    approx = False
    if form in ("arabic", "thousands", "fullwidth", "decimal", "approx"):
        unit = draw(st.sampled_from(sorted(SCALE)))
        cents = draw(st.integers(min_value=0, max_value=10**11))
        number = Decimal(cents) / 100 if form in ("decimal", "thousands", "fullwidth") else Decimal(cents // 100)
        text = f"{number:,}" if form == "thousands" else f"{number}"
        if form == "fullwidth":
            text = text.translate(FULL)
        if form == "approx":
            unit = draw(st.sampled_from(["万元", "亿元", "元"]))
            text += draw(st.sampled_from("余多"))
            approx = True
        space = draw(st.sampled_from(["", "", " ", " \n"])) if unit != "元" and form != "approx" else ""
        return text + space + unit, number * SCALE[unit], approx
    if form == "chinese_decimal":
        whole = draw(st.integers(min_value=0, max_value=9999))
        frac = draw(st.text(alphabet=LOWER, min_size=1, max_size=4))
        unit = draw(st.sampled_from(["元", "万元", "亿元"]))
        head = to_chinese(whole) if whole else "零"
        value = (Decimal(whole) + Decimal("0." + "".join(str(LOWER.index(c)) for c in frac))) * SCALE[unit]
        return head + "点" + frac + unit, value, False
    unit = draw(st.sampled_from(["元", "万元", "亿元"]))
    n = draw(st.integers(min_value=1, max_value={"元": 10**16 - 1, "万元": 9999, "亿元": 10**8 - 1}[unit]))
    if form == "capital":
        text = to_chinese(n, CAPITAL, UNITS_CAPITAL)
    elif form == "traditional":
        text = to_chinese(n, "零壹貳叁肆伍陸柒捌玖", UNITS_CAPITAL, "萬", "億")
        unit = unit.replace("万", "萬").replace("亿", "億")
    elif form == "elliptical":
        text = elliptical(to_chinese(n)) or to_chinese(n)
    elif form == "mixed":
        text = to_mixed(n)
    else:
        text = to_chinese(n)
        if text.startswith("一十") and draw(st.booleans()):
            text = text[1:]  # 十五 as well as 一十五
    return text + unit, Decimal(n) * SCALE[unit.replace("萬", "万").replace("億", "亿")], False


@st.composite
def percent(draw) -> tuple[str, Decimal]:
    form = draw(st.sampled_from(["sign", "fullwidth", "permille", "baifenzhi", "baifenzhi_arabic", "qianfenzhi"]))
    basis = draw(st.integers(min_value=0, max_value=10**6))
    number = Decimal(basis) / 100
    if form == "sign":
        return f"{number}%", number / 100
    if form == "fullwidth":
        return f"{number}".translate(FULL) + "％", number / 100
    if form == "permille":
        return f"{number}‰", number / 1000
    if form == "baifenzhi_arabic":
        return f"百分之{number}", number / 100
    n = draw(st.integers(min_value=1, max_value=9999))
    if form == "baifenzhi":
        return "百分之" + to_chinese(n), Decimal(n) / 100
    return "千分之" + to_chinese(n), Decimal(n) / 1000


def signed(surface: str, sign: str) -> str:
    """A minus sign (``-``, ``－``) signs Arabic numbers; 负 signs any number (SCHEMA: -50万元, 负3.2%)."""
    return ("负" if sign and not surface[0].isdigit() and surface[0] not in "０１２３４５６７８９" else sign) + surface


def check(sentence: str, start: int, surface: str, label: str, value: Decimal, approx: bool = False) -> None:
    end = start + len(surface)
    assert value_matches(sentence) == [(start, end, label)], (sentence, found(sentence))
    norm = normalise(sentence, start, end, label)
    assert norm.value == pytest.approx(float(value), rel=1e-12, abs=1e-12), (surface, norm)
    assert norm.approx == approx


@settings(max_examples=400, deadline=None)
@given(amount=money(), sign=st.sampled_from(["", "", "-", "－", "负"]), prefix=st.sampled_from(PREFIXES),
       suffix=st.sampled_from(SUFFIXES))
def test_generated_money_is_found_and_read_exactly(amount, sign, prefix, suffix):
    surface, value, approx = amount
    surface = signed(surface, sign)
    check(prefix + surface + suffix, len(prefix), surface, "MONEY", -value if sign else value, approx)


@settings(max_examples=300, deadline=None)
@given(amount=percent(), sign=st.sampled_from(["", "", "-", "－", "负"]),
       prefix=st.sampled_from(("完成率为", "同比增长", "执行率", "满意度达到", "\n")),
       suffix=st.sampled_from(("。", "，", "以上", "左右；", "")))
def test_generated_percentages_are_found_and_read_exactly(amount, sign, prefix, suffix):
    surface, value = amount
    surface = signed(surface, sign)
    approx = suffix.startswith("左右")  # outside the span, but it says the value is approximate
    check(prefix + surface + suffix, len(prefix), surface, "PERCENT", -value if sign else value, approx)


@given(n=st.integers(min_value=1, max_value=10**16 - 1))
def test_generated_numerals_of_every_script_read_back(n):
    assert read_numeral(to_chinese(n)) == n
    assert read_numeral(to_chinese(n, CAPITAL, UNITS_CAPITAL)) == n
    assert read_numeral(to_chinese(n, "零壹貳叁肆伍陸柒捌玖", UNITS_CAPITAL, "萬", "億")) == n
    assert read_numeral(to_mixed(n)) == n
    if (short := elliptical(to_chinese(n))) is not None:
        assert read_numeral(short) == n


NOISE = st.text(alphabet="0123456789０１２.,，-－负一二两三四五六七八九十百千万亿零壹佰仟点元余多%％‰/月人 \n资金为共计惠及人次《》年",
                max_size=40)


@settings(max_examples=400, deadline=None)
@given(text=NOISE)
def test_whatever_is_found_is_read_the_same_way_by_the_normaliser(text):
    """On any text: every amount the patterns find, the normaliser reads, to the same value."""
    for a in find_amounts(text):
        norm = normalise(text, a.start, a.end, a.label)
        assert norm.value == a.value
        assert norm.per == a.per


def test_value_patterns_and_normaliser_agree_on_the_corpus():
    from pipeline.corpus import load_documents

    for doc in load_documents("annotations"):
        for a in find_amounts(doc.text):
            assert normalise(doc.text, a.start, a.end, a.label).value == a.value, doc.text[a.start : a.end]


def test_parse_percent_reads_the_sign():
    assert parse_percent("-22.2%") == pytest.approx(-0.222)
    assert parse_percent("负40%") == pytest.approx(-0.4)
