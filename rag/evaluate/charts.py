"""PNG charts for evaluation reports, drawn with matplotlib's Agg canvas.

matplotlib is imported inside each function (not when this module is imported) and pyplot is
never used, so drawing keeps no global state and is safe from a web server's worker threads.
Each function writes one PNG and returns its path, or None when there is nothing to draw.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

BLUE, GREY, RED, GREEN = "#3b6ea5", "#9aa5b1", "#c0504d", "#5a9e5a"
_CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei"]


@contextmanager
def _figure(path: Path, width: float, height: float):
    """Yield a Figure drawn with a CJK-capable font (when one is installed); save it as PNG to `path`."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    installed = {f.name for f in font_manager.fontManager.ttflist}
    family = [f for f in _CJK_FONTS if f in installed] + ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig = Figure(figsize=(width, height), dpi=100)
        yield fig
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(path, format="png")


def accuracy_chart(rows: Sequence[dict], path: Path, title: str) -> Path | None:
    """Horizontal bars: accuracy per group with its 95% Wilson interval as an error bar."""
    if not rows:
        return None
    rows = list(rows)[::-1]  # first group on top
    with _figure(path, 7, 0.9 + 0.42 * len(rows)) as fig:
        ax = fig.add_subplot()
        acc = [100 * r["accuracy"] for r in rows]
        # max(0, ...): at 100% the Wilson interval's top is a rounding hair below the accuracy
        err = [[max(0.0, 100 * (r["accuracy"] - r["ci95"][0])) for r in rows],
               [max(0.0, 100 * (r["ci95"][1] - r["accuracy"])) for r in rows]]
        ax.barh(range(len(rows)), acc, xerr=err, color=BLUE, ecolor="#333", capsize=3)
        ax.set_yticks(range(len(rows)), [f"{r['group']} (n={r['questions']})" for r in rows])
        ax.set_xlim(0, 100)
        ax.set_xlabel("accuracy, % (bars: 95% Wilson interval)")
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)
    return path


def retrieval_chart(summary: dict, path: Path) -> Path | None:
    """hit@k for k = 1, 3, 5, 10, with MRR in the title."""
    ks = [k for k in (1, 3, 5, 10) if summary.get(f"hit@{k}") is not None]
    if not ks:
        return None
    with _figure(path, 5, 3.2) as fig:
        ax = fig.add_subplot()
        vals = [100 * summary[f"hit@{k}"] for k in ks]
        ax.bar([f"hit@{k}" for k in ks], vals, color=BLUE)
        for i, v in enumerate(vals):
            ax.text(i, v + 1.5, f"{v:.1f}%", ha="center", fontsize=9)
        ax.set_ylim(0, 110)
        ax.set_ylabel("% of questions with a gold doc")
        ax.set_title(f"Retrieval: gold document in the top k (MRR {summary.get('mrr') or 0:.3f})")
    return path


def failure_chart(counts: Sequence[tuple[str, int]], path: Path) -> Path | None:
    """Horizontal bars: failed questions per reason."""
    if not counts:
        return None
    counts = list(counts)[::-1]
    with _figure(path, 7, 0.9 + 0.4 * len(counts)) as fig:
        ax = fig.add_subplot()
        ax.barh(range(len(counts)), [c[1] for c in counts], color=RED)
        ax.set_yticks(range(len(counts)), [c[0] for c in counts])
        ax.set_xlabel("failed questions")
        ax.set_title("Failures by reason")
        ax.grid(axis="x", alpha=0.3)
    return path


def latency_chart(latencies_ms: Sequence[float], p50: float, p95: float, path: Path) -> Path | None:
    """Histogram of per-question latency with the p50 and p95 marked."""
    if not latencies_ms:
        return None
    with _figure(path, 6, 3.2) as fig:
        ax = fig.add_subplot()
        ax.hist(latencies_ms, bins=min(30, max(5, len(latencies_ms) // 5)), color=GREY)
        ax.axvline(p50, color=BLUE, label=f"p50 {p50:.0f} ms")
        ax.axvline(p95, color=RED, label=f"p95 {p95:.0f} ms")
        ax.set_xlabel("latency per question, ms")
        ax.set_ylabel("questions")
        ax.legend()
        ax.set_title("Answer latency")
    return path


def compare_chart(names: Sequence[str], series: dict[str, Sequence[float | None]], path: Path) -> Path | None:
    """Grouped bars: one group per variant, one bar per metric (shares, shown in %)."""
    if not names or not series:
        return None
    with _figure(path, max(6, 1.3 * len(names) + 2), 3.6) as fig:
        ax = fig.add_subplot()
        width = 0.8 / len(series)
        colours = [BLUE, GREEN, GREY, RED, "#8064a2"]
        for j, (label, values) in enumerate(series.items()):
            xs = [i + (j - (len(series) - 1) / 2) * width for i in range(len(names))]
            ax.bar(xs, [100 * (v or 0) for v in values], width, label=label, color=colours[j % len(colours)])
        ax.set_xticks(range(len(names)), names)
        ax.set_ylim(0, 110)
        ax.set_ylabel("%")
        ax.legend(ncol=len(series), fontsize=8, loc="upper left")
        ax.set_title("Variants side by side")
    return path


def precision_coverage_chart(curve: Sequence[tuple[float, float, float]], path: Path) -> Path | None:
    """Short-answer precision against coverage as the reader's threshold moves (one point each)."""
    if not curve:
        return None
    with _figure(path, 5, 3.6) as fig:
        ax = fig.add_subplot()
        cov = [100 * c for _, c, _ in curve]
        prec = [100 * p for _, _, p in curve]
        ax.plot(cov, prec, marker="o", color=BLUE, markersize=3)
        for t, c, p in curve[:: max(1, len(curve) // 5)]:
            ax.annotate(f"{t:.2f}", (100 * c, 100 * p), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.set_xlabel("coverage, % of answerable questions given a short answer")
        ax.set_ylabel("precision, % with F1 >= 0.8")
        ax.set_title("Short answers by reader threshold")
        ax.grid(alpha=0.3)
    return path
