"""Fusing ranked lists from several retrievers. Pure functions over (id, score) lists."""
from __future__ import annotations

from typing import Callable, Sequence

Ranked = Sequence[tuple[int, float]]  # (row, score), best first


def rrf(lists: Sequence[Ranked], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    weights = weights or [1.0] * len(lists)
    fused: dict[int, float] = {}
    for ranked, w in zip(lists, weights):
        for rank, (row, _) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def convex(lists: Sequence[Ranked], weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Convex combination of min-max normalised scores; a list that misses a row adds 0."""
    weights = weights or [1.0 / len(lists)] * len(lists)
    fused: dict[int, float] = {}
    for ranked, w in zip(lists, weights):
        if not ranked:
            continue
        scores = [s for _, s in ranked]
        lo, hi = min(scores), max(scores)
        for row, s in ranked:
            norm = (s - lo) / (hi - lo) if hi > lo else 1.0
            fused[row] = fused.get(row, 0.0) + w * norm
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


# by rag.modes.FUSION_STRATEGIES name: fuse(lists, rrf_k)
STRATEGIES: dict[str, Callable[..., list[tuple[int, float]]]] = {
    "rrf": lambda lists, rrf_k=60: rrf(lists, k=rrf_k),
    "convex": lambda lists, rrf_k=60: convex(lists),
}


def strategy(name: str) -> str:
    """The strategy a Settings.fusion value names: itself, or rrf for any other value."""
    return name if name in STRATEGIES else "rrf"
