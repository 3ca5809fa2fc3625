"""What the server's requests share: the one pipeline, and whether it is still being prepared."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from fastapi import Request

from rag.api.errors import NotReady
from rag.pipeline import Pipeline


@dataclass
class ServerState:
    pipeline: Pipeline
    preparing: str | None = None  # what the start-up work is doing, e.g. "building the index"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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


def get_state(request: Request) -> ServerState:
    return request.app.state.rag


def ready_state(request: Request) -> ServerState:
    """The state, once nothing is being prepared (503 with Retry-After until then)."""
    state = get_state(request)
    state.check_ready()
    return state
