"""The connection timeouts uvicorn lacks, and the server's uvicorn configuration.

    RAG_HEADER_TIMEOUT_S=10  a request's line and headers must arrive whole within this many seconds
                             of their first byte (or of the connection's opening, for the first
                             request): a client sending a header byte a second is cut off (408)
    RAG_KEEP_ALIVE_S=5       a keep-alive connection idle this long after a response is closed
                             (uvicorn's timeout_keep_alive)
    RAG_BODY_TIMEOUT_S=30    a request body pausing longer than this between two reads: 408, closed
                             (rag.api.limits.BodyTimeouts)

uvicorn with h11 starts no timer before a connection's first request, and none once the first
byte of a later request has arrived; `HeadTimeoutProtocol` (uvicorn's h11 protocol) adds one.
Importing this module imports uvicorn and h11.
"""
from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("rag.app")
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is not whole in time."""

    header_timeout_s: float = 10.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _watch_head(self) -> None:
        """Start the clock when a request head is awaited (and none is running), stop it when whole.
        After a response uvicorn's keep-alive timer runs instead, until the next byte arrives."""
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if waiting and self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_timed_out)
        elif not waiting:
            self._stop_timer()

    def _stop_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        partial = bool(self.conn.trailing_data[0])
        if partial:  # part of a head arrived: say why; an idle connection is just closed
            client = "%s:%d" % self.client if self.client else "?"
            log.warning("%s: closed a connection whose request head did not arrive within %g s",
                        client, self.header_timeout_s)
            self.transport.write(TIMED_OUT)
        self.transport.close()


def protocol(header_timeout_s: float) -> type[HeadTimeoutProtocol]:
    """The protocol class with its header timeout set (uvicorn builds one per connection)."""
    return type("RagH11Protocol", (HeadTimeoutProtocol,), {"header_timeout_s": float(header_timeout_s)})


def uvicorn_config(app, settings, log_level: str = "info"):
    """uvicorn's Config for `app`: h11 with the header timeout, the keep-alive timeout, and an
    access log that escapes control characters and redacts credentials in query strings."""
    import uvicorn

    from rag.logs import redact_access_log

    config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=5,
                            http=protocol(settings.header_timeout_s), timeout_keep_alive=settings.keep_alive_s)
    redact_access_log()  # after Config(), which sets up uvicorn's loggers
    return config
