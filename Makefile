# The two commands of the README. Everything is installed into .venv from PyPI.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install clean gazetteer word-frequencies

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python -m pipeline run corpus --out outputs

test: install
	$(BIN)/python -m pytest -q

# Rebuild rules/towns/*.jsonl from the official register (needs ../shared/data or --register).
gazetteer: | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[build]"
	$(BIN)/python scripts/build_gazetteer.py

# Rebuild rules/word_frequencies.tsv from wordfreq (the projects component's rare-word test).
word-frequencies: | $(BIN)/python
	$(BIN)/python scripts/build_word_frequencies.py

clean:
	rm -rf $(VENV) outputs/records.jsonl outputs/errors.jsonl outputs/manifest.json outputs/texts
