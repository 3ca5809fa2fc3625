"""Knowledge-base names: what a valid one looks like, and the error for one that is not there."""
from __future__ import annotations

import re

from rag.config import KB_NAME
from rag.errors import RagError, UnknownDocument

DEFAULT = "default"  # today's index/ + corpus/
ALIAS = "rag"  # the OpenAI-compatible model name of `default` (what clients sent before there were several)
NAME = re.compile(KB_NAME)
NAME_RULE = "a lowercase letter, then up to 39 lowercase letters, digits or _ (e.g. news, city_policy)"


class UnknownKnowledgeBase(UnknownDocument):
    """No knowledge base of that name, or one the caller may not read (the same 404: names do not leak)."""


def check_name(name) -> str:
    """`name` when it is a valid knowledge-base name; RagError saying what a name may be otherwise.
    A valid name is never a path: no '/', '.', '..', space or upper case."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        shown = repr(name)[:60] if isinstance(name, str) else type(name).__name__
        raise RagError(f"Invalid knowledge-base name {shown}: use {NAME_RULE}.")
    return name


def unknown(name: str) -> UnknownKnowledgeBase:
    return UnknownKnowledgeBase(f"No knowledge base {name[:60]!r}; list them with `rag kb list` or GET /api/kbs.")
