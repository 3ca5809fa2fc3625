"""What the server's requests share: the knowledge bases (the default one's pipeline first), whether
the start-up work is still running, and who may use which knowledge base."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from fastapi import Request

from rag.api.errors import ApiError, NotReady
from rag.auth import OPEN, Identity
from rag.library import DEFAULT, Library, UnknownKnowledgeBase, check_name
from rag.library.names import unknown
from rag.pipeline import Pipeline


@dataclass
class ServerState:
    pipeline: Pipeline  # the knowledge base `default`
    preparing: str | None = None  # what the start-up work is doing, e.g. "building the index"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    library: Library | None = None  # the knowledge bases; None: those of the pipeline's RAG_HOME

    def __post_init__(self):
        if self.library is None:
            self.library = Library(default=self.pipeline)

    def check_ready(self) -> None:
        doing = self.preparing
        if doing:
            raise NotReady(doing)

    @contextmanager
    def preparing_while(self, doing: str) -> Iterator[None]:
        """Mark the server as busy with `doing` (503 for other requests) for the block's duration."""
        with self.lock:
            self.check_ready()
            self.preparing = doing
        try:
            yield
        finally:
            self.preparing = None

    # -- knowledge bases, as the caller may see them -----------------------------------------------
    def readable(self, who: Identity) -> list[str]:
        return [n for n in self.library.names() if who.may_read(n)]

    def asked(self, who: Identity, kb: str | None = None, kbs: Sequence[str] | None = None) -> list[str]:
        """The knowledge bases a question names (`default` when none): 400 for a malformed name,
        404 for one that is not there or that the caller may not read (the same answer)."""
        names = list(kbs) if kbs else [kb or DEFAULT]
        if kb and kbs:
            raise ApiError(400, 'Give "kb" (one name) or "kbs" (a list), not both.')
        for name in names:
            check_name(name)  # a RagError: 400
            if not who.may_read(name) or name not in self.library.names():
                raise unknown(name)
        return list(dict.fromkeys(names))

    def pipeline_of(self, who: Identity, kb: str | None, change: bool = False) -> Pipeline:
        """The pipeline of `kb` (default when None) for reading, or for changing (403 when the
        caller may read it but not change it)."""
        name = self.asked(who, kb)[0]
        if change and not who.may_change(name):
            raise ApiError(403, f"Forbidden: {who.name} may not change the knowledge base {name!r}.", "forbidden")
        try:
            return self.library.pipeline(name)
        except UnknownKnowledgeBase:
            raise unknown(name) from None


def get_state(request: Request) -> ServerState:
    return request.app.state.rag


def ready_state(request: Request) -> ServerState:
    """The state, once nothing is being prepared (503 with Retry-After until then)."""
    state = get_state(request)
    state.check_ready()
    return state


def caller(request: Request) -> Identity:
    """Who sent the request (rag.api.guard signed them in); everything is open with auth off."""
    who = getattr(request.state, "rag_user", None)
    return who if who is not None else OPEN
