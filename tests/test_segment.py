"""The segmenters: offsets cover every non-whitespace character exactly once."""

from __future__ import annotations

import logging

import jieba
import pytest

from pipeline.segment import SEGMENTERS, jieba_tokenizer, token_offsets, tokens

MIXED = " 2022年年初预算数5,326.48 万元，\t预算执行率为９７．５０％。\n\n二、 “三公”经费\r\n控制率≥99%\u3000 完成 \n"


def _check_cover(text: str, offsets: list[tuple[int, int]]) -> None:
    covered = [0] * len(text)
    last_end = 0
    for start, end in offsets:
        assert last_end <= start < end <= len(text), (start, end)
        last_end = end
        for i in range(start, end):
            covered[i] += 1
            assert not text[i].isspace(), f"whitespace inside token {text[start:end]!r}"
    for i, ch in enumerate(text):
        assert covered[i] == (0 if ch.isspace() else 1), (i, ch)


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_offsets_cover_non_whitespace_once(segmenter):
    _check_cover(MIXED, token_offsets(MIXED, segmenter))
    assert "".join(tokens(MIXED, segmenter)) == "".join(MIXED.split())


@pytest.mark.parametrize("segmenter", SEGMENTERS)
@pytest.mark.parametrize("text", ["", " ", "\n\t ", "元", " 万元 "])
def test_edge_cases(segmenter, text):
    _check_cover(text, token_offsets(text, segmenter))


def test_char_segmenter_is_one_token_per_character():
    assert token_offsets("a b\n万元", "char") == [(0, 1), (2, 3), (4, 5), (5, 6)]


def test_jieba_keeps_user_dictionary_terms_whole():
    text = "本年度预算执行率为98%，结转结余12.5万元，三公经费支出3万元，绩效自评得分95分。"
    words = tokens(text, "jieba")
    for term in ("预算执行率", "结转结余", "万元", "三公经费", "绩效自评"):
        assert term in words, words


def test_jieba_user_dictionary_does_not_leak_into_global_tokenizer():
    tok = jieba_tokenizer()
    assert tok is not jieba.dt
    assert tok is jieba_tokenizer()  # built once
    assert "预算执行率" in tok.FREQ
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    assert "预算执行率" not in jieba.dt.FREQ  # not in jieba's own dictionary: ours did not leak


def test_unknown_segmenter():
    with pytest.raises(ValueError):
        token_offsets("万元", "spaces")
