"""The ingest boundary: which files may be read, and how much of each.

    Limits.from_settings(settings=None)   max_file_mb, max_jsonl_mb, max_pdf_pages, max_inflated_mb (RAG_MAX_*);
                                          from the environment only: RAG_MAX_IMAGE_MP, RAG_OCR_SECONDS
    link_outside(path, root) -> str|None  the real path of a link that leads out of `root`
    open_regular(path) -> binary file     only regular files; a pipe, device or socket is never opened
    read_capped(path, limit) -> bytes     the whole file, or BadInput when it is over the limit
    check_unzipped(data, limit)           BadInput when a zip (.docx) would unpack to more than the limit

Every refusal is a BadInput with a one-line message that says what to do.
"""
from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import dataclass
from typing import BinaryIO

from rag.errors import BadInput, RagError

MB = 1024 * 1024
FILE_LIMIT_NAME = "RAG_MAX_FILE_MB"
JSONL_LIMIT_NAME = "RAG_MAX_JSONL_MB"


@dataclass(frozen=True)
class Limits:
    """How much one input may cost. `max_file_bytes` bounds a non-JSONL file, the unzipped size of
    a .docx and one JSONL record; `max_jsonl_bytes` bounds a whole JSONL file after gunzip."""

    max_file_bytes: int = 20 * MB
    max_jsonl_bytes: int = 2048 * MB
    max_pdf_pages: int = 2000  # pages of one PDF
    max_inflated_bytes: int = 50 * MB  # what text extraction would parse in one PDF (rag/ingest/pdf.py)
    max_image_pixels: int = 60_000_000  # pixels of one image or one rendered page (RAG_MAX_IMAGE_MP, megapixels)
    ocr_seconds: float = 900.0  # OCR time for one file (RAG_OCR_SECONDS)

    @classmethod
    def from_settings(cls, settings=None) -> Limits:
        """From a Settings object; without one, from the defaults and the RAG_* environment."""
        names = ("max_file_mb", "max_jsonl_mb", "max_pdf_pages", "max_inflated_mb")
        if settings is None:  # only these variables: a stray bad RAG_* value is not ingest's business
            from rag.config import Settings

            env = (f"RAG_{name.upper()}" for name in names)
            settings = Settings.from_env({name: os.environ[name] for name in env if name in os.environ})
        for name in names:
            value = getattr(settings, name)
            if value < 1:
                unit = "pages" if name.endswith("pages") else "megabytes"
                raise RagError(f"Setting {name} (RAG_{name.upper()}) must be at least 1 ({unit}), got {value}.")
        return cls(max_file_bytes=settings.max_file_mb * MB, max_jsonl_bytes=settings.max_jsonl_mb * MB,
                   max_pdf_pages=settings.max_pdf_pages, max_inflated_bytes=settings.max_inflated_mb * MB,
                   max_image_pixels=int(_env_number("RAG_MAX_IMAGE_MP", 60) * 1_000_000),
                   ocr_seconds=_env_number("RAG_OCR_SECONDS", 900))


def _env_number(name: str, default: float) -> float:
    """A positive number from the environment (limits the settings do not carry)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if not value > 0:
        raise RagError(f"Setting {name} must be a positive number, got {raw!r}.")
    return value


def size_text(n: int) -> str:
    """'50 MB', '1.2 MB', '300 KB': sizes as the messages print them."""
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB // 10:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(n, 1) / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def too_big(size: int, limit: int, what: str = "file") -> BadInput:
    return BadInput(f"is {size_text(size)}, over the {size_text(limit)} limit for one {what} ({FILE_LIMIT_NAME}); "
                    "split it, or raise the limit if it should be indexed whole (big files take long to index)")


def link_outside(path: os.PathLike | str, root: os.PathLike | str) -> str | None:
    """The real path of `path` when following its links leaves the folder `root`, else None."""
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
        return None
    return real


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a special file"


def os_problem(err: OSError) -> BadInput:
    """A BadInput for an OSError met while opening or reading a file."""
    if err.errno == errno.ELOOP:
        return BadInput("is a symbolic link that loops back on itself; fix or remove the link")
    if err.errno == errno.ENOENT:
        return BadInput("no such file (a link to a file that is gone?); check the path or remove the link")
    return BadInput(f"cannot open it ({err.strerror or err}); check the path and its permissions")


def not_regular(mode: int) -> BadInput:
    return BadInput(f"is not a regular file ({_kind(mode)}); only ordinary files are read, "
                    "remove it or save its content as a file")


def open_regular(path: os.PathLike | str) -> BinaryIO:
    """Open a regular file for reading. A pipe, device or socket is refused before it is opened
    (opening a pipe can block, reading a device may never end); the open itself does not block
    either, and the opened file is checked again in case it was swapped in between."""
    try:
        info = os.stat(path)
    except OSError as err:
        raise os_problem(err) from None
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(info.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise os_problem(err) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_regular(mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: os.PathLike | str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise too_big(size, limit)
        try:
            data = fh.read(limit + 1)
        except OSError as err:
            raise os_problem(err) from None
    if len(data) > limit:  # it grew since it was measured
        raise too_big(len(data), limit)
    return data


def check_unzipped(data: bytes, limit: int) -> None:
    """Refuse a zip package (.docx) whose members would unpack to more than `limit` bytes. The sizes
    come from the zip directory, before anything is inflated; Python's zipfile never returns more
    than a member's declared size. A damaged zip is left to the parser, which reports it."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if total > limit:
        raise BadInput(f"unzips to {size_text(total)} (from {size_text(len(data))}), over the {size_text(limit)} "
                       f"limit for one file ({FILE_LIMIT_NAME}); a zip bomb or a document too big to index: "
                       "split it, or raise the limit")
