# Every target installs first (once), so each works as the first command on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
MODEL := models/perfreport
export OMP_NUM_THREADS ?= 1

.PHONY: install extract test test-fast train evaluate cv stats bench lint gold review clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## analysts: run the bundled model on the bundled sample reports
extract: install
	$(PY) -m pipeline extract data/reports data/authored data/tables -o out/predictions.jsonl --csv out/values.csv --xlsx out/values.xlsx

## everything, slow end-to-end checks included (what CI runs)
test: install
	$(PY) -m pytest -q

## quick loop while editing: skips tests marked slow or browser
test-fast: install
	$(PY) -m pytest -q -m "not slow and not browser"

## data teams: retrain from annotations/ (prints held-out scores before and after)
train: install
	$(PY) -m pipeline train

## researchers: score the current model on the fixed held-out split
evaluate: install
	$(PY) -m pipeline evaluate --json out/evaluate.json --pred out/heldout_predictions.jsonl

## cross-validation: leave-one-report-out (real) and leave-departments-out (authored), ~25 min on 2 cores
cv: install
	$(PY) -m pipeline cv --json out/cv.json

stats: install
	$(PY) -m pipeline stats

bench: install
	$(PY) -m pipeline bench

## compile hand-written span lists annotations/src/*.tsv into annotations/*.jsonl
gold: install
	$(PY) -m pipeline build-gold

review: install
	$(PY) -m pipeline review out/predictions.jsonl -o out/review

lint: install
	$(PY) -m ruff check pipeline tests scripts

clean:
	rm -rf out models/_cv .pytest_cache
