# make demo: install, train the offline quickstart, print test metrics and one prediction per label.
# make check: install, run the unit tier (no model is built or loaded; about a minute) for quick feedback.
# make test: install, run the whole test suite: unit, integration (one tiny checkpoint), e2e (slow).
# make rehearse: configs/indobert-base.yaml on a random model of IndoBERT-base's shape, a few steps,
#               through training, report, card, fast export, Hub dry run and predict_document (~2 min).
# make card: re-render model_card.md and reports/quickstart/ from the reference run in outputs/quickstart
#            (train it first with `make demo`; the card states which backbone produced its numbers).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Everything below runs offline; any stray Hub call fails fast instead of hanging.
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo check test rehearse validate card clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: this version has a CPU build; anything else pulls CUDA wheels
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[train,quickstart,fast,app,test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m train configs/quickstart.yaml
	$(PY) scripts/demo.py outputs/quickstart

check: install
	$(PY) -m pytest tests/unit

test: install
	$(PY) -m pytest

rehearse: install
	$(PY) -m train.rehearse

validate: install
	$(PY) -m train.data validate data/

REFERENCE_RUN := outputs/quickstart
REFERENCE_REPORT := reports/quickstart

card: install
	$(PY) -m train.render.card $(REFERENCE_RUN) --out model_card.md --report-link $(REFERENCE_REPORT) --reference-config configs/quickstart.yaml
	# the small report files only: predictions.jsonl stays with the checkpoint
	rm -rf $(REFERENCE_REPORT) && mkdir -p $(REFERENCE_REPORT)
	cp $(REFERENCE_RUN)/metrics.json $(REFERENCE_RUN)/report/report.md $(REFERENCE_RUN)/report/*.png $(REFERENCE_REPORT)/
	# fast mode's figures, once scripts/compare_fast.py --record has measured them on this run
	[ ! -f $(REFERENCE_RUN)/fast_mode.json ] || cp $(REFERENCE_RUN)/fast_mode.json $(REFERENCE_REPORT)/

clean:
	rm -rf outputs/ .pytest_cache
