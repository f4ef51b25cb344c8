"""End to end: train a tiny model, load it with plain spacy.load, predict, score, evaluate CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.corpus import load_documents
from pipeline.document import check_files, write_jsonl
from pipeline.evaluate_cli import main as evaluate_main
from pipeline.link import LearnedLinker
from pipeline.roles import LearnedRoleClassifier
from pipeline.train import build_pipeline, predict_documents, train_tagger

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    docs = load_documents(ROOT / "annotations")
    train = [d for d in docs if d.id.startswith(("a01", "a05"))]
    work = tmp_path_factory.mktemp("tiny")
    tagger = train_tagger(train, work, segmenter="jieba", max_epochs=2)
    nlp = build_pipeline(tagger, LearnedRoleClassifier().fit(train), LearnedLinker().fit(train), hybrid=True)
    nlp.to_disk(work / "model")
    return work / "model"


@pytest.mark.slow
def test_saved_model_loads_with_plain_spacy_and_predicts_valid_documents(tiny_model, tmp_path):
    # a fresh interpreter that never imports `pipeline`: the entry points must register everything
    code = (
        "import spacy, sys, json\n"
        f"nlp = spacy.load({str(tiny_model)!r})\n"
        "doc = nlp('年初预算项目资金390.88万元，已支付47万元，资金拨付率达100%。')\n"
        "print(json.dumps({'pipes': nlp.pipe_names, 'ents': [(e.text, e.label_, e._.value, e._.role) for e in doc.ents],"
        " 'relations': len(doc._.relations)}, ensure_ascii=False))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["pipes"][-3:] == ["perfreport_value_patterns", "perfreport_values", "perfreport_linker"]
    values = {text: (value, role) for text, label, value, role in result["ents"] if label in ("MONEY", "PERCENT")}
    assert values["390.88万元"][0] == pytest.approx(3908800) and values["100%"][0] == pytest.approx(1.0)


@pytest.mark.slow
def test_predictions_are_valid_schema_and_score(tiny_model, tmp_path):
    import spacy

    gold = [d for d in load_documents(ROOT / "annotations") if d.id == "001_bae6ad46e6b56273"]
    pred = predict_documents(spacy.load(tiny_model), gold)
    write_jsonl(pred, tmp_path / "pred.jsonl")
    write_jsonl(gold, tmp_path / "gold.jsonl")
    docs, problems = check_files(tmp_path / "pred.jsonl")
    assert problems == [] and docs[0].text == gold[0].text
    checker = subprocess.run([sys.executable, str(ROOT.parent / "shared/tools/check_annotations.py"),
                              str(tmp_path / "pred.jsonl")], capture_output=True, text=True)
    if (ROOT.parent / "shared/tools/check_annotations.py").exists():
        assert checker.returncode == 0, checker.stdout
    assert evaluate_main(["--gold", str(tmp_path / "gold.jsonl"), "--pred", str(tmp_path / "pred.jsonl"),
                          "--json", str(tmp_path / "eval.json"), "--boot", "50"]) == 0
    result = json.loads((tmp_path / "eval.json").read_text())
    assert result["spans"]["strict"]["MONEY"]["f1"] > 0.5  # values come from the pattern step at least
    assert evaluate_main(["--gold", str(tmp_path / "gold.jsonl"), "--link-only", "--model", str(tiny_model),
                          "--json", str(tmp_path / "link.json"), "--boot", "50"]) == 0
    linked = json.loads((tmp_path / "link.json").read_text())
    assert linked["relations"]["given_gold_spans"]["lenient"]["micro"]["f1"] is not None


def test_evaluate_cli_reports_mismatched_inputs(tmp_path, capsys):
    docs = load_documents(ROOT / "annotations")[:2]
    write_jsonl(docs, tmp_path / "gold.jsonl")
    write_jsonl(docs[:1], tmp_path / "pred.jsonl")
    assert evaluate_main(["--gold", str(tmp_path / "gold.jsonl"), "--pred", str(tmp_path / "pred.jsonl")]) == 1
    assert docs[1].id in capsys.readouterr().err


def test_cli_lists_commands(capsys):
    from pipeline.__main__ import main

    assert main([]) == 0
    out = capsys.readouterr().out
    assert all(cmd in out for cmd in ("extract", "evaluate", "train", "cv", "stats", "bench", "convert", "review"))
    assert main(["nope"]) == 2


@pytest.mark.slow
def test_span_scores_are_probabilities_when_switched_on(tiny_model):
    from pipeline.extract import load_model

    text = "年初预算项目资金390.88万元，已支付47万元，资金拨付率达100%。"
    plain = load_model(tiny_model)
    assert "perfreport_span_scores" in plain.disabled
    assert all(e._.score is None for e in plain(text).ents)
    scored = load_model(tiny_model, span_scores=True)
    doc = scored(text)
    assert doc.ents and all(0.0 <= e._.score <= 1.0 for e in doc.ents)
    assert [(e.text, e.label_) for e in doc.ents] == [(e.text, e.label_) for e in plain(text).ents]
