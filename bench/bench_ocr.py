"""OCR and tables, measured on the scans-and-tables collection (eval/docs/, issue #22).

    python bench/bench_ocr.py [--out /tmp/docs-bench] [--skip-qa] [--threads N]

1. OCR character accuracy: every notice page of eval/docs/collection.py rendered at A4 150 dpi
   in 28 px and 22 px type (13.5 and 10.5 pt), clean and degraded (2° rotation, noise, blur, JPEG quality 60), read by rag.ingest.ocr; accuracy
   = 1 - edit distance / length of the printed text, whitespace removed, both sides normalised
   as the cleaning does (full-width digits and letters to half-width).
2. OCR speed: pages/s over those pages, with the load average before and after (the machine is
   shared), and the CPU time a page (pages/s per core; RAG_OCR_THREADS=1 keeps onnxruntime's
   spinning threads out of it).
3. Questions: the collection written by eval/docs/make_docs.py is indexed (default model) and
   eval/docs/qa.jsonl asked; right = answerable, a gold string in the answer and in a quote of
   the gold file; the cited page and OCR mark are printed.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval" / "docs"))


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _norm(text: str) -> str:
    from rag.ingest.clean import normalise_chars

    return "".join(normalise_chars(text).split())


def ocr_pages() -> list[tuple[str, str, object]]:
    """(name, printed text, image) for every notice page, clean and degraded."""
    from PIL import Image

    import make_docs
    from collection import NOTICES

    out = []
    for size in (28, 22):  # 13.5 pt and 10.5 pt type at 150 dpi
        for name, notice in NOTICES.items():
            pages = notice.get("pages") or [notice["lines"]]
            for k, lines in enumerate(pages, 1):
                image, text = make_docs.render(lines, size=size, title_line=k == 1)
                out.append((f"{name}#{k} {size}px clean", text, image))
                buf = io.BytesIO()
                make_docs.degrade(image, seed=k).save(buf, format="JPEG", quality=60)
                out.append((f"{name}#{k} {size}px degraded", text, Image.open(io.BytesIO(buf.getvalue())).convert("RGB")))
    return out


def bench_ocr() -> None:
    from rag.ingest.ocr import ocr_lines

    pages = ocr_pages()
    ocr_lines(pages[0][2])  # load the engine outside the timing
    load = os.getloadavg()[0]
    scores: dict[str, list[tuple[int, int]]] = {"clean": [], "degraded": []}
    started, cpu = time.perf_counter(), time.process_time()
    for name, truth, image in pages:
        read = _norm("".join(ocr_lines(image)))
        truth = _norm(truth)
        errors = distance(read, truth)
        scores[name.rsplit(" ", 1)[1]].append((errors, len(truth)))
        print(f"  {name:32s} {1 - errors / len(truth):.4f} ({errors} errors / {len(truth)} chars)")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    for kind, pairs in scores.items():
        errors, total = sum(e for e, _ in pairs), sum(n for _, n in pairs)
        print(f"OCR character accuracy, {kind}: {1 - errors / total:.4f} ({errors} errors in {total} characters, "
              f"{len(pairs)} pages)")
    print(f"OCR speed: {len(pages)} A4 pages at 150 dpi in {seconds:.1f} s = {len(pages) / seconds:.2f} pages/s "
          f"on {os.cpu_count()} cores (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after); "
          f"CPU time {cpu / len(pages):.2f} s a page = {len(pages) / cpu:.2f} pages/s per core "
          f"(RAG_OCR_THREADS={os.environ.get('RAG_OCR_THREADS', '0')})")


def bench_qa(out: Path) -> None:
    import make_docs
    from rag.config import Settings
    from rag.pipeline import Pipeline

    docs = make_docs.main(out)
    started = time.perf_counter()
    pipe = Pipeline(Settings(index_dir=out / "index", corpus_dir=docs))
    report = pipe.build()
    print(f"indexed {report.documents} documents, {report.chunks} passages in {time.perf_counter() - started:.0f} s;"
          f" problems: {[p.message for p in report.problems]}")
    right = 0
    items = [json.loads(line) for line in open(ROOT / "eval/docs/qa.jsonl", encoding="utf-8") if line.strip()]
    for item in items:
        answer = pipe.ask(item["question"])
        gold = item["gold_doc"]
        quotes = [c for c in answer.citations if c.doc_id.split("#")[0] == gold]
        ok = answer.answerable and any(a in answer.answer and any(a in c.quote for c in quotes)
                                       for a in item["answers"])
        right += ok
        where = ", ".join(f"{c.doc_id} p{c.page}{' OCR' if c.ocr else ''}" for c in answer.citations)
        print(f"  {'ok ' if ok else 'BAD'} {item['id']} {item['question']} -> {answer.answer[:80]!r} [{where}]")
    print(f"questions right: {right}/{len(items)} = {right / len(items):.1%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--skip-qa", action="store_true")
    ap.add_argument("--skip-ocr", action="store_true")
    args = ap.parse_args()
    if not args.skip_ocr:
        bench_ocr()
    if not args.skip_qa:
        out = args.out or Path(tempfile.mkdtemp(prefix="docs-bench-"))
        bench_qa(out)


if __name__ == "__main__":
    main()
