"""Run one QA set under several configurations and put the figures side by side.

A variant names what differs from the current settings:

    bm25 | dense | hybrid          retrieval mode
    chunk=N                        chunk size in characters (a temporary index is built)
    k=N                            passages handed to the answerer (top_k)
    answer=extractive|generative   how answers are written (generative: the configured LLM endpoint)
    store=local | store=milvus     where the index lives (rag.index.stores); last when combined,
    store=milvus:URI               as a URI holds ':' (a Milvus Lite file.db or http://HOST:19530)

joined with ':' to combine, e.g. `--compare bm25,dense,hybrid,hybrid:k=3,chunk=400`,
`--compare store=local,store=milvus`.

Every variant answers from the documents of the same index. A chunk-size variant re-chunks and
re-embeds those documents into a temporary directory that is deleted afterwards; the user's index
is never written. A store other than the pipeline's own gets the same documents the same way: a
temporary local index, a temporary Milvus Lite file (store=milvus), or a temporary collection on
the Milvus at URI (store=milvus:URI), dropped afterwards.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from rag.errors import BadInput
from rag.evaluate.runner import QAItem, Record, fmt, run_eval, summarize
from rag.modes import ANSWER_MODES, RETRIEVAL_MODES


# (summary key, column heading, as a percentage)
COLUMNS = [
    ("answer_accuracy", "accuracy", True),
    ("answer_accuracy_ci95", "95% CI", True),
    ("exact_match", "EM", True),
    ("char_f1", "F1", True),
    ("refusal_precision", "refusal P", True),
    ("refusal_recall", "refusal R", True),
    ("answer_in_context", "in context", True),
    ("hit@1", "hit@1", True),
    ("hit@5", "hit@5", True),
    ("hit@10", "hit@10", True),
    ("mrr", "MRR", False),
    ("citations_verbatim", "verbatim", True),
    ("sentences_verified", "verified", True),
    ("fell_back", "fell back", True),
    ("latency_p50_ms", "p50 ms", False),
]
GENERATIVE_ONLY = ("sentences_verified", "fell_back")  # columns shown when a variant asked a language model


@dataclass(frozen=True)
class Variant:
    name: str
    mode: str | None = None  # None: the settings' mode
    chunk_size: int | None = None  # None: the index's own chunks
    top_k: int | None = None  # None: settings.top_k
    answer: str | None = None  # None: the settings' answer mode
    store: str | None = None  # None: the pipeline's own store; "local", "milvus" or "milvus:URI"


@dataclass
class VariantResult:
    variant: Variant
    mode: str
    chunk_size: int
    top_k: int
    records: list[Record]
    summary: dict


def parse_variants(spec: str) -> list[Variant]:
    """'bm25,dense,hybrid:k=3,chunk=400' -> Variants; raises BadInput with the accepted syntax."""
    variants, seen = [], set()
    for raw in spec.split(","):
        name = raw.strip()
        if not name:
            continue
        mode = chunk = k = answer = store = None
        head, sep, store_value = name.partition("store=")
        if sep:  # a store goes last: its URI may hold ':'
            store = store_value.strip()
            if store != "local" and store != "milvus" and not store.startswith("milvus:"):
                raise BadInput(f"Cannot read variant {name!r}: store=local, store=milvus or store=milvus:URI.")
        for part in (head.rstrip(":").split(":") if head.strip() else []):
            key, _, value = part.strip().partition("=")
            key = key.strip().lower()
            try:
                if not value and key in RETRIEVAL_MODES:
                    mode = key
                elif key in ("chunk", "chunk_size") and int(value) >= 20:
                    chunk = int(value)
                elif key in ("k", "top_k") and int(value) >= 1:
                    k = int(value)
                elif key == "answer" and value.strip().lower() in ANSWER_MODES:
                    answer = value.strip().lower()
                else:
                    raise ValueError(part)
            except ValueError:
                raise BadInput(
                    f"Cannot read variant {name!r}. Use bm25, dense, hybrid, chunk=N (N >= 20), k=N (N >= 1), "
                    "answer=extractive|generative or store=local|milvus[:URI] (last), "
                    "joined with ':' to combine, comma-separated: e.g. bm25,dense,hybrid,hybrid:k=3,chunk=400."
                ) from None
        if name in seen:
            continue
        seen.add(name)
        variants.append(Variant(name, mode, chunk, k, answer, store))
    if not variants:
        raise BadInput("No variants given; e.g. --compare bm25,dense,hybrid")
    return variants


def _store_pipeline(pipe, chunk_size: int, store: str, workdir: Path, progress: Callable | None, opened: list):
    """A pipeline over the same documents in a new store (see the module docstring), same embedder and reader."""
    from rag.index.stores import open_store, scratch_settings
    from rag.pipeline import Pipeline

    settings = scratch_settings(pipe.settings, store, chunk_size, workdir)
    target = open_store(settings)
    opened.append(target)
    target.fill(settings, list(pipe.index.documents), pipe.embedder, progress)
    return Pipeline(settings, pipe.embedder, reader=pipe.reader)


def _drop(stores) -> None:
    from rag.index.stores import discard

    for st in stores:
        discard(st)


def run_compare(pipe, items: Sequence[QAItem], variants: Sequence[Variant], progress: Callable | None = None,
                predictions_dir: str | Path | None = None, mode: str | None = None,
                top_k: int | None = None, filters=None) -> list[VariantResult]:
    """Evaluate every variant on the same questions and documents; results in the order given.
    What a variant leaves open comes from `mode` / `top_k`, else from the pipeline's settings."""
    base_chunk = int(pipe.index.manifest.get("chunk_size", pipe.settings.chunk_size))
    results = []
    own = pipe.settings.store or "local"
    opened: list = []
    with tempfile.TemporaryDirectory(prefix="rag-compare-") as tmp:
        try:
            pipes = {(base_chunk, own): pipe}
            for n, v in enumerate(variants, start=1):
                chunk = v.chunk_size or base_chunk
                store = v.store or own
                if store == own.split(":")[0]:
                    store = own  # store=milvus on a pipeline already on Milvus: its own
                if (chunk, store) not in pipes:
                    pipes[(chunk, store)] = _store_pipeline(pipe, chunk, store, Path(tmp), progress, opened)
                p = pipes[(chunk, store)]
                stage = f"[{n}/{len(variants)}] {v.name}"
                step = (lambda s, d, t, stage=stage: progress(f"{stage} {s}", d, t)) if progress else None
                pred_path = Path(predictions_dir) / f"predictions-{safe_name(v.name)}.jsonl" if predictions_dir else None
                v_mode, v_k = v.mode or mode or p.settings.mode, v.top_k or top_k or p.settings.top_k
                records = run_eval(p, items, mode=v_mode, progress=step, predictions_path=pred_path, top_k=v_k,
                                   filters=filters, answer=v.answer)
                results.append(VariantResult(v, v_mode, chunk, v_k, records, summarize(records)))
        finally:
            _drop(opened)
    return results


def safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def table_rows(results: Sequence[VariantResult]) -> tuple[list[str], list[list[str]]]:
    """(headings, rows) of the side-by-side table; figures as percentages where they are shares."""
    columns = [c for c in COLUMNS if c[0] not in GENERATIVE_ONLY or any(c[0] in r.summary for r in results)]
    headings = ["variant", "mode", "chunk", "k"] + [h for _, h, _ in columns]
    rows = []
    for r in results:
        row = [r.variant.name, r.mode, str(r.chunk_size), str(r.top_k)]
        for key, _, pct in columns:
            value = r.summary.get(key)
            row.append(f"{value:.0f}" if key.startswith("latency") and value is not None else fmt(value, pct))
        rows.append(row)
    return headings, rows


def compare_text(results: Sequence[VariantResult]) -> str:
    """The table as aligned plain text, for the terminal."""
    headings, rows = table_rows(results)
    widths = [max(len(x) for x in col) for col in zip(headings, *rows)]

    def line(cells: Sequence[str]) -> str:  # names left-aligned, figures right-aligned
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headings), line(["-" * w for w in widths])] + [line(r) for r in rows])
