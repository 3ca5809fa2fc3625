"""Reproduce the CMRC 2018 trial benchmark with one command: index the 256 paragraphs as one corpus,
ask the 1,002 questions, write the report.

    python eval/run_cmrc.py [--data ../shared/data] [--index /tmp/cmrc-index] [--report reports/cmrc]
                            [--limit N] [--mode hybrid|dense|bm25] [--top-k K] [--compare VARIANTS]
                            [--model NAME]

The paragraphs are written as JSONL (id, title, text) to `<index>-docs/` and indexed with
Pipeline.build into `<index>`; when that index already holds exactly these paragraphs (same
content hashes, model and chunking) the build is skipped. The QA lines are already in our QA format
(`answers`, `gold_doc`; `any_of` is ignored: any answer string counts anyway).

Open-domain, unlike the published figures: the system must first find the paragraph among 256.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.cli import StderrProgress  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402

DOCS_FILE = "cmrc2018_trial_docs.jsonl"
QA_FILE = "cmrc2018_trial_qa.jsonl"


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Index the CMRC 2018 trial paragraphs and evaluate the 1,002 questions.")
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"),
                    help=f"folder with {DOCS_FILE} and {QA_FILE} (default: ../shared/data)")
    ap.add_argument("--index", default="/tmp/cmrc-index", help="index folder, reused when it matches")
    ap.add_argument("--report", default="reports/cmrc", help="report folder")
    ap.add_argument("--limit", type=int, help="only the first N questions (a quick run)")
    ap.add_argument("--mode", choices=["hybrid", "dense", "bm25"])
    ap.add_argument("--top-k", type=int)
    ap.add_argument("--compare", help="variants side by side, e.g. bm25,dense,hybrid")
    ap.add_argument("--model", help="embedding model (default: RAG_MODEL or multilingual-e5-small)")
    ap.add_argument("--docs-file", default=DOCS_FILE, help="paragraphs file inside --data (another benchmark in this layout)")
    ap.add_argument("--qa-file", default=QA_FILE, help="questions file inside --data")
    return ap.parse_args(argv)


def write_corpus(data: Path, folder: Path, docs_file: str = DOCS_FILE) -> Path:
    """The paragraphs as JSONL (id, title, text), rewritten only when the content changed."""
    src = data / docs_file
    if not src.is_file():
        raise RagError(f"{src} not found; pass --data the folder that holds {docs_file} and its questions.")
    lines = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                lines.append(json.dumps({"id": r["id"], "title": r.get("title"), "text": r["text"]},
                                        ensure_ascii=False) + "\n")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / docs_file
    text = "".join(lines)
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def index_matches(pipe: Pipeline, corpus: Path) -> bool:
    """True when the index holds exactly the documents of `corpus`, built with the current model and chunking."""
    from rag.index.store import content_hash
    from rag.ingest import load_paths

    if not pipe.has_index():
        return False
    try:
        m = pipe.index.manifest
        stored = pipe.index.doc_hashes
    except RagError:  # corrupt, or built with another model
        return False
    docs, _ = load_paths([corpus], root=pipe.settings.corpus_dir)
    s = pipe.settings
    return (m.get("chunk_size") == s.chunk_size and m.get("chunk_overlap") == s.chunk_overlap
            and stored == {d.id: content_hash(d) for d in docs}
            and m.get("embedded") == m.get("chunks"))


def main(argv=None) -> int:
    args = parse_args(argv)
    from rag.evaluate.runner import load_qa, summary_text
    from rag.evaluate.session import evaluate

    try:
        data, index = Path(args.data), Path(args.index)
        corpus_dir = index.parent / (index.name + "-docs")
        corpus = write_corpus(data, corpus_dir, args.docs_file)
        settings = Settings.from_env(index_dir=index, corpus_dir=corpus_dir, model=args.model)
        pipe = Pipeline(settings)
        if index_matches(pipe, corpus):
            print(f"Index {index} already holds these {pipe.index.manifest['documents']} paragraphs; not rebuilding.")
        else:
            report = pipe.build([corpus], progress=StderrProgress())
            print(f"Indexed {report.documents} paragraphs, {report.chunks} passages into {index} "
                  f"({report.embedded} embedded) in {report.seconds:.0f} s.")
        items = load_qa(data / args.qa_file)
        if args.limit:
            items = items[: args.limit]
        t0 = time.perf_counter()
        result = evaluate(pipe, items, report_dir=args.report, compare=args.compare, mode=args.mode,
                          top_k=args.top_k, progress=StderrProgress(),
                          title=("CMRC 2018 trial set" if args.qa_file == QA_FILE else args.qa_file)
                          + ", open-domain (find the paragraph, then answer)",
                          qa_label=f"{args.qa_file}" + (f", first {args.limit}" if args.limit else ""))
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if result.compare:
        from rag.evaluate.compare import compare_text

        print(compare_text(result.compare) + "\n")
    print(summary_text(result.records))
    print(f"\n{len(items)} questions in {time.perf_counter() - t0:.0f} s; report: {result.report.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
