# make demo: install, train the offline quickstart, print test metrics and three predictions.
# make test: install, run the test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Everything below runs offline; any stray Hub call fails fast instead of hanging.
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test validate clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: this version has a CPU build; anything else pulls CUDA wheels
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[train,quickstart,fast,test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m train configs/quickstart.yaml
	$(PY) scripts/demo.py outputs/quickstart

test: install
	$(PY) -m pytest

validate: install
	$(PY) -m train.data validate data/

clean:
	rm -rf outputs/ .pytest_cache
