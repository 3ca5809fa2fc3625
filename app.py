"""Start the web app: `python app.py` serves the chat on http://127.0.0.1:7860.

    python app.py [--host HOST] [--port PORT] [--index DIR] [--corpus DIR] [--model NAME]

Settings come from defaults < RAG_* environment variables < these flags. If the index is missing
it is built from the corpus folder first, with progress printed, and the model is loaded; then
the same server as `rag serve` starts: the chat at /, the HTTP API at /api and /v1 (docs at
/docs). Works with no network.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.config import Settings  # noqa: E402
from rag.errors import EmptyCorpus, RagError  # noqa: E402
from rag.logs import log_to_console  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Chat with cited answers over the indexed articles.")
    ap.add_argument("--host", help="address to listen on (default 127.0.0.1; env RAG_HOST)")
    ap.add_argument("--port", type=int, help="port (default 7860; env RAG_PORT)")
    ap.add_argument("--index", dest="index_dir", help="index folder (default ./index; env RAG_INDEX_DIR)")
    ap.add_argument("--corpus", dest="corpus_dir", help="articles folder (default ./corpus; env RAG_CORPUS_DIR)")
    ap.add_argument("--model", help="embedding model (default multilingual-e5-small; env RAG_MODEL)")
    ap.add_argument("--store", help="local (the index folder, default) or milvus:URI (env RAG_STORE)")
    ap.add_argument("--answer", choices=["extractive", "generative", "auto"],
                    help="default answer mode (env RAG_ANSWER; auto: generative when an LLM endpoint is set)")
    ap.add_argument("--llm-base-url", help="OpenAI-compatible endpoint for generated answers (env RAG_LLM_BASE_URL; "
                                           "the key only from env RAG_LLM_API_KEY)")
    ap.add_argument("--llm-model", help="model name at that endpoint (env RAG_LLM_MODEL)")
    return ap.parse_args(argv)


class PrintProgress:
    """Prints build progress: each stage once, then about every 10%."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.stage = None
        self.step = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.stage, self.step = stage, -1
        step = int(10 * done / total) if total else 10
        if step != self.step:
            self.step = step
            print(f"  {stage:<9} {done}/{total}", file=self.out, flush=True)


def ensure_index(pipeline: Pipeline, settings: Settings) -> bool:
    """Build the index from the corpus folder if there is none. False when there is nothing to index."""
    if pipeline.has_index():
        return True
    print(f"No index in {settings.index_dir}: building it from {settings.corpus_dir} ...", flush=True)
    t0 = time.perf_counter()
    print(f"  loading the embedding model {settings.model} ...", flush=True)
    pipeline.embedder.dim  # noqa: B018 - loads (on first use: assembles) the model
    print(f"  model ready in {time.perf_counter() - t0:.1f} s", flush=True)
    try:
        report = pipeline.build(progress=PrintProgress())
    except EmptyCorpus as err:
        print(f"Starting with an empty knowledge base: {err}", flush=True)
        return False
    print(f"Indexed {report.documents} documents, {report.chunks} passages in {report.seconds:.1f} s.", flush=True)
    for p in report.problems:
        print(f"  skipped {p.path}: {p.message}", flush=True)
    return True


def main(argv=None) -> int:
    args = parse_args(argv)
    log_to_console()
    try:
        settings = Settings.from_env(
            host=args.host, port=args.port, index_dir=args.index_dir, corpus_dir=args.corpus_dir, model=args.model,
            store=args.store, answer=args.answer, llm_base_url=args.llm_base_url, llm_model=args.llm_model,
        )
        settings.check_answer_mode()  # a misspelt RAG_ANSWER, or generative with no endpoint, stops here
        from rag.auth import Auth

        Auth.from_settings(settings)  # a malformed RAG_AUTH / RAG_TOKENS stops here, with its message
        pipeline = Pipeline(settings)
        if ensure_index(pipeline, settings):
            t0 = time.perf_counter()
            pipeline.warm_up()  # load the model and index now, so the first answer is quick
            print(f"Model and index loaded in {time.perf_counter() - t0:.1f} s.", flush=True)
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1

    from rag.api import serve  # imports fastapi, uvicorn and gradio

    return serve(pipeline, prepare=False, log_level="warning")


if __name__ == "__main__":
    sys.exit(main())
