"""The ONNX reader against the torch reader on held-out DRCD windows. Prints numbers; asserts nothing.

    python bench/bench_reader_onnx.py [--windows 600] [--precisions fp32,int8] [--group 4]

Windows are cut from the reader's held-out DRCD split (eval/train_reader.py: drcd_test articles
whose index is a multiple of 4) the way training cuts them (the answer's sentence and 0-2
neighbours, a third more windows without the answer), seed 0. They are read in groups of up to
--group windows of one question (as the answerer hands the reader its best few sentences), by the
torch reader and by each ONNX reader, interleaved group by group. Prints, per ONNX reader: the
share of windows where the chosen span (or "no span") is the same as torch's, the max and mean
absolute difference of the span and no-answer probabilities, window-level EM / F1 against the gold
answer (windows with an answer; a span under the reader threshold counts as none), and time per
group against torch's.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def drcd_windows(n: int, seed: int = 0):
    from train_reader import DATA, convert, split, windows

    records, _, _ = convert([DATA / "drcd_dev.json", DATA / "drcd_test.json"])
    _, val = split(records)
    rng = random.Random(seed)
    out = windows(val, rng, 0.3)
    rng.shuffle(out)
    return out[:n]


def groups(examples, size: int):
    by_q: dict[str, list] = {}
    for ex in examples:
        by_q.setdefault(ex[0], []).append(ex)
    for q, exs in by_q.items():
        for lo in range(0, len(exs), size):
            yield q, exs[lo : lo + size]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--windows", type=int, default=600)
    ap.add_argument("--precisions", default="fp32")
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--threshold", type=float, help="span probability under which no short answer is shown "
                    "(default: the answerer's reader_threshold)")
    args = ap.parse_args()

    from rag.answer.answerer import AnswerPolicy
    from rag.models.reader_torch import Reader
    from rag.models.reader_onnx import OnnxReader
    from rag.config import Settings
    from rag.models.offline_model import ensure_default_model
    from train_reader import f1_zh

    threshold = args.threshold if args.threshold is not None else AnswerPolicy().reader_threshold
    folder = ensure_default_model(Settings.from_env().cache_dir)
    examples = drcd_windows(args.windows)
    t = time.perf_counter()
    readers = {"torch": Reader(folder)}
    load = {"torch": time.perf_counter() - t}
    for p in args.precisions.split(","):
        t = time.perf_counter()
        readers[f"onnx-{p}"] = OnnxReader(folder, precision=p)
        load[f"onnx-{p}"] = time.perf_counter() - t
    names = list(readers)
    spans = {n: [] for n in names}
    spent = {n: [] for n in names}
    gold = []
    for i, (q, exs) in enumerate(groups(examples, args.group)):
        for name in names[i % len(names):] + names[: i % len(names)]:
            t = time.perf_counter()
            spans[name].extend(readers[name].read(q, [e[1] for e in exs]))
            spent[name].append((time.perf_counter() - t) * 1000)
        gold.extend(exs)

    def scores(name):
        em = f1 = n = 0.0
        for ex, sp in zip(gold, spans[name]):
            if ex[2] < 0:
                continue
            n += 1
            answer = ex[1][ex[2] : ex[3]]
            pred = ex[1][sp.start : sp.end] if sp is not None and sp.score >= threshold else ""
            em += pred == answer
            f1 += f1_zh(pred, answer) if pred else 0.0
        return 100 * em / n, 100 * f1 / n

    ref = spans["torch"]
    print(f"{len(gold)} DRCD held-out windows ({sum(e[2] >= 0 for e in gold)} with the answer), "
          f"{len(spent['torch'])} groups of up to {args.group}; threshold {threshold}")
    em, f1 = scores("torch")
    print(f"{'torch':10} load {load['torch']:5.1f} s  per group p50 {statistics.median(spent['torch']):6.1f} ms"
          f"  EM {em:5.1f}  F1 {f1:5.1f}")
    for name in names[1:]:
        same = sum((a is None and b is None) or (a is not None and b is not None and (a.start, a.end) == (b.start, b.end))
                   for a, b in zip(ref, spans[name]))
        both = [(a, b) for a, b in zip(ref, spans[name]) if a is not None and b is not None]
        d_span = [abs(a.score - b.score) for a, b in both]
        d_null = [abs(a.null_score - b.null_score) for a, b in both]
        shown_same = sum((a is not None and a.score >= threshold) == (b is not None and b.score >= threshold)
                         for a, b in zip(ref, spans[name]))
        em, f1 = scores(name)
        ratio = statistics.median(spent["torch"]) / statistics.median(spent[name])
        print(f"{name:10} load {load[name]:5.1f} s  per group p50 {statistics.median(spent[name]):6.1f} ms "
              f"({ratio:.2f}x torch's speed)  EM {em:5.1f}  F1 {f1:5.1f}")
        print(f"{'':10} same span as torch {same}/{len(ref)} ({100 * same / len(ref):.1f}%), same shown/not shown "
              f"{100 * shown_same / len(ref):.1f}%; |P(span) diff| max {max(d_span):.2e} mean "
              f"{statistics.fmean(d_span):.2e}; |P(null) diff| max {max(d_null):.2e}")


if __name__ == "__main__":
    main()
