"""The vocabularies, defined once: each a Literal type (for annotations and the API's schemas) and
the tuple of its values (for argument choices, checks and messages), first value the default.

    RetrievalMode   hybrid (dense + BM25, fused) | dense | bm25            Settings.mode, --mode
    FusionStrategy  rrf (reciprocal rank) | convex (min-max normalised)    Settings.fusion
    AnswerMode      extractive | generative                                 Answer.mode, eval variants
    AnswerSetting   an AnswerMode or auto (generative when an LLM endpoint is set)   Settings.answer, --answer
    ReaderMode      auto (on with the default model) | on | off            Settings.reader

Ground floor: imports nothing from the package.
"""
from __future__ import annotations

from typing import Literal, get_args

RetrievalMode = Literal["hybrid", "dense", "bm25"]
FusionStrategy = Literal["rrf", "convex"]
AnswerMode = Literal["extractive", "generative"]
AnswerSetting = Literal["extractive", "generative", "auto"]
ReaderMode = Literal["auto", "on", "off"]

RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)
FUSION_STRATEGIES: tuple[str, ...] = get_args(FusionStrategy)
ANSWER_MODES: tuple[str, ...] = get_args(AnswerMode)
ANSWER_SETTINGS: tuple[str, ...] = get_args(AnswerSetting)
READER_MODES: tuple[str, ...] = get_args(ReaderMode)
READER_OFF = ("off", "none", "0", "false")  # spellings of Settings.reader that turn the reader off

__all__ = ["ANSWER_MODES", "ANSWER_SETTINGS", "FUSION_STRATEGIES", "READER_MODES", "READER_OFF", "RETRIEVAL_MODES",
           "AnswerMode", "AnswerSetting", "FusionStrategy", "ReaderMode", "RetrievalMode"]
