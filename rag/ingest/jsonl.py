"""JSONL (and .jsonl.gz) -> Documents, streamed one line at a time.

    read_jsonl(path, source, limits) -> (documents, problems)    raises BadInput when nothing is usable

Each line is decoded on its own, so a bad line (a NUL byte, bytes that are not UTF-8, broken JSON,
a record without id or text, a line longer than one record may be) is reported with its number and
skipped without costing its neighbours. Memory stays bounded by one line (`max_file_bytes`); the
file is read up to `max_jsonl_bytes` counted after gunzip, and the records before that point are
kept. The encoding is UTF-8, decided per file otherwise: the first line with non-ASCII bytes picks
UTF-8 or, failing that, GB18030; a file starting with a UTF-16/32 byte-order mark is decoded as such.
"""
from __future__ import annotations

import codecs
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from rag.errors import BadInput
from rag.ingest.clean import clean_line, clean_text
from rag.ingest.guards import JSONL_LIMIT_NAME, FILE_LIMIT_NAME, Limits, open_regular, os_problem, size_text
from rag.ingest.split import find_date, normalise_date
from rag.types import Document, Problem

EMPTY_MESSAGE = "contains no text; remove it or check that it is the right file"
REPORTED_LINES = 20  # bad lines reported one by one; the rest are summed up in one Problem
GIVE_UP_LINES = 50  # this many bad lines before any good record: not JSONL, stop reading
_SKIP_CHUNK = 1024 * 1024
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class _Stop:
    """A marker in the line stream: why a line was skipped, or (final) why reading stopped; read_jsonl
    fills in {kept}, the number of records read before."""

    def __init__(self, message: str, final: bool):
        self.message, self.final = message, final


def read_jsonl(path: Path, source: str, limits: Limits) -> tuple[list[Document], list[Problem]]:
    documents: list[Document] = []
    problems: list[Problem] = []
    bad = 0
    first_bad: str | None = None
    with open_regular(path) as raw:
        try:
            stream = _unzipped(raw) if path.name.lower().endswith(".gz") else raw
            for number, line in _lines(stream, limits):
                if isinstance(line, _Stop):
                    if line.final:
                        message = line.message.replace("{kept}", str(len(documents)))
                        if not documents and not problems:
                            raise BadInput(message)
                        problems.append(Problem(str(path), f"line {number}: {message}"))
                        break
                    error = BadInput(line.message)
                else:
                    if not line.strip():
                        continue
                    try:
                        documents.append(record_document(line, source))
                        continue
                    except BadInput as err:
                        error = err
                bad += 1
                first_bad = first_bad or f"line {number}: {str(error).split('; ')[0]}"
                if bad <= REPORTED_LINES:
                    problems.append(Problem(str(path), f"line {number}: {error}"))
                if not documents and bad >= GIVE_UP_LINES:
                    raise BadInput(f"none of its first {bad} lines is a record ({first_bad}); "
                                   "is it really a JSONL file? Stopped reading it")
        except (OSError, EOFError, zlib.error) as err:  # a damaged .gz (BadGzipFile is an OSError)
            reason = _stream_problem(err)
            if not documents and not problems:
                raise BadInput(reason) from None
            problems.append(Problem(str(path), f"{reason}; the {len(documents)} records before were kept"))
    if bad > REPORTED_LINES:
        problems.append(Problem(str(path), f"{bad - REPORTED_LINES} more bad lines skipped "
                                           f"(only the first {REPORTED_LINES} are listed); check the file"))
    if not documents and not problems:
        raise BadInput(EMPTY_MESSAGE)
    return documents, problems


def _unzipped(raw):
    import gzip

    return gzip.GzipFile(fileobj=raw, mode="rb")


def _stream_problem(err: BaseException) -> str:
    if isinstance(err, EOFError):
        return "the .gz file is cut short; download or compress it again"
    if isinstance(err, OSError) and err.errno is not None:
        return str(os_problem(err))
    return f"cannot read it ({err}); check that it is an intact .jsonl or .jsonl.gz file"


# ---------------------------------------------------------------- lines

def _lines(stream, limits: Limits) -> Iterator[tuple[int, str | _Stop]]:
    """(line number, text or _Stop) for each line; a final _Stop ends the stream."""
    head = stream.peek(4)[:4]
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return _wide_lines(stream, encoding, limits)
    return _byte_lines(stream, limits)


def _too_long(limit: int) -> _Stop:
    return _Stop(f"longer than {size_text(limit)}, the limit for one record ({FILE_LIMIT_NAME}); "
                 "skipped, split the record or raise the limit", final=False)


def _over_total(limit: int) -> _Stop:
    return _Stop(f"stopped reading here, the file is over the {size_text(limit)} limit for one JSONL file "
                 f"({JSONL_LIMIT_NAME}, counted after unzipping); the {{kept}} records before this line were "
                 "kept, split the file or raise the limit", final=True)


def _byte_lines(stream, limits: Limits) -> Iterator[tuple[int, str | _Stop]]:
    line_cap, total_cap = limits.max_file_bytes, limits.max_jsonl_bytes
    decode = _LineDecoder()
    number = total = 0
    while True:
        raw = stream.readline(line_cap + 1)
        if not raw:
            return
        number += 1
        total += len(raw)
        if len(raw) > line_cap and not raw.endswith(b"\n"):
            while not raw.endswith(b"\n") and total <= total_cap:  # skip the rest of the line
                raw = stream.readline(_SKIP_CHUNK)
                if not raw:
                    break
                total += len(raw)
            if total > total_cap:
                yield number, _over_total(total_cap)
                return
            yield number, _too_long(line_cap)
            continue
        if total > total_cap:
            yield number, _over_total(total_cap)
            return
        try:
            yield number, decode(raw, number)
        except BadInput as err:
            yield number, _Stop(str(err), final=False)


def _wide_lines(stream, encoding: str, limits: Limits) -> Iterator[tuple[int, str | _Stop]]:
    """UTF-16/32 text, decoded as a stream; a decoding error ends it (nothing after it can be trusted)."""
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="\n")
    line_cap, total_cap = limits.max_file_bytes, limits.max_jsonl_bytes
    chars = line_cap // (4 if encoding == "utf-32" else 2)
    number = 0
    while True:
        number += 1
        try:
            line = text.readline(chars + 1)
            if not line:
                return
            too_long = len(line) > chars and not line.endswith("\n")
            rest = line
            while too_long and rest and not rest.endswith("\n") and stream.tell() <= total_cap:
                rest = text.readline(_SKIP_CHUNK)
        except UnicodeDecodeError as err:
            yield number, _Stop(f"not valid {encoding.upper()} from here on ({err.reason}); "
                                "the lines before were read, save the file as UTF-8", final=True)
            return
        if stream.tell() > total_cap:
            yield number, _over_total(total_cap)
            return
        yield number, _too_long(line_cap) if too_long else line.lstrip("\ufeff") if number == 1 else line


class _LineDecoder:
    """Bytes of one line -> str. UTF-8 unless the first line with non-ASCII bytes is not UTF-8 but
    GB18030; then GB18030 for the whole file. A line that does not fit the file's encoding is bad."""

    def __init__(self) -> None:
        self.encoding: str | None = None

    def __call__(self, raw: bytes, number: int) -> str:
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
            self.encoding = "utf-8"
        if b"\x00" in raw:
            raise BadInput(f"contains a NUL byte at byte {raw.index(0) + 1} (binary data, not text); "
                           "fix or remove the line")
        if raw.isascii():
            return raw.decode("ascii")
        reason = ""
        for encoding in (self.encoding,) if self.encoding else ("utf-8", "gb18030"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as err:
                reason = reason or f"{err.reason} at byte {err.start + 1}"
                continue
            self.encoding = encoding
            return text
        name = (self.encoding or "utf-8").upper()
        raise BadInput(f"is not valid {name} text ({reason}); fix or remove the line, "
                       "and save the file as UTF-8")


# ---------------------------------------------------------------- records

def record_document(line: str, source: str) -> Document:
    """One JSONL record {"id", "text", "title"?, "date"?, "source"?}. The id is kept as given; the
    text is cleaned and, when a title is given and the text does not start with it, the title is
    put in front on its own line so that it can be searched and quoted. Without a "date", the
    first full date in the text is the record's date (then the file name's: rag/ingest/readers.py)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise BadInput(f"not valid JSON ({err.msg} at column {err.colno}); fix or remove the line") from None
    except RecursionError:
        raise BadInput("not valid JSON (nested too deeply); fix or remove the line") from None
    if not isinstance(record, dict):
        raise BadInput("not a JSON object; each line must be {\"id\": ..., \"text\": ...}")
    if record.get("id") in (None, ""):
        raise BadInput("has no \"id\"; give every record a unique id")
    raw = record.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise BadInput("has no \"text\" (or it is empty); give the record its article text")
    for field in ("id", "text", "title", "source"):
        if isinstance(record.get(field), str) and not _encodable(record[field]):
            raise BadInput(f"its \"{field}\" has a \\u escape that is no character (a lone surrogate); "
                           "fix or remove the line")
    title = clean_line(str(record["title"])) if record.get("title") not in (None, "") else None
    text = clean_text(raw)
    if title and not text.startswith(title):
        text = title + "\n" + text
    date = normalise_date(record.get("date")) or find_date(text)
    return Document(id=str(record["id"]), text=text, title=title, date=date, source=str(record.get("source") or source))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
