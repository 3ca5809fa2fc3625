"""ONNX files in the model cache: exported once, published atomically, checked when loaded.

Each file `<name>.onnx` sits in a folder beside the model folder it was exported from
(`<model folder>-onnx-v<EXPORT_VERSION>/`) with a record `<name>.onnx.json` written after it (its
size and what it was exported from). The export writes a temporary sibling, syncs it and renames
it into place, then writes the record: an interrupted export leaves either nothing or a file without
a record, which the next use removes and exports again (the temporary of an export killed outright
is removed by a later export once an hour old). A file whose size no longer matches its record, or
that onnxruntime cannot read, is reported in one line on stderr and exported again.

Only onnxruntime and numpy are imported here; the `export` callables passed in bring torch with
them, at export time only.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from rag.errors import ModelUnavailable

EXPORT_VERSION = 1  # bump when the exported graphs change: files are exported anew
STALE_TMP_SECONDS = 3600  # temporaries of exports killed (SIGKILL, power cut) older than this are removed


def onnx_dir(model_dir: Path) -> Path:
    model_dir = Path(model_dir)
    return model_dir.with_name(f"{model_dir.name}-onnx-v{EXPORT_VERSION}")


def _record(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def is_complete(path: Path) -> bool:
    """The file and its record exist and agree on the size."""
    try:
        rec = json.loads(_record(path).read_text(encoding="utf-8"))
        return path.stat().st_size == rec["bytes"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def ensure_file(path: Path, export: Callable[[Path], None], what: str, source: dict | None = None) -> Path:
    """Return `path`, first exporting it with `export(tmp_path)` unless a complete copy is there."""
    path = Path(path)
    if is_complete(path):
        return path
    if path.exists() or _record(path).exists():
        _say(f"{what}: {path} is incomplete or damaged (an interrupted export?); exporting it again.")
    else:
        _say(f"{what}: exporting to {path} (once; takes a minute) ...")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove(path)
        _remove_stale_tmp(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        try:
            export(tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            tmp.chmod(0o644)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        rec = {"bytes": path.stat().st_size, "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
               "seconds": round(time.perf_counter() - t0, 1), "export_version": EXPORT_VERSION, **(source or {})}
        tmp_rec = path.with_name(f".{path.name}.json.tmp-{os.getpid()}")
        tmp_rec.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp_rec, _record(path))
    except OSError as err:
        raise ModelUnavailable(
            f"Cannot write {what} to {path.parent} ({err.strerror or err}): it needs about 600 MB of writable "
            "disk; free some space, set RAG_CACHE_DIR to another folder, or RAG_EMBED_RUNTIME=torch."
        ) from None
    return path


def remove(path: Path) -> None:
    _record(path).unlink(missing_ok=True)  # the record first: a file without one is never trusted
    path.unlink(missing_ok=True)


def _remove_stale_tmp(path: Path) -> None:
    now = time.time()
    for leftover in path.parent.glob(f".{path.name}*.tmp-*"):
        try:
            if now - leftover.stat().st_mtime > STALE_TMP_SECONDS:
                leftover.unlink()
        except OSError:
            pass


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def session(path: Path, threads: int, export: Callable[[Path], None], what: str, source: dict | None = None):
    """An onnxruntime InferenceSession over `path` (exported first if needed); a file onnxruntime
    cannot read is exported again once."""
    import onnxruntime as ort

    path = ensure_file(path, export, what, source)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, int(threads))
    opts.inter_op_num_threads = 1
    if threads > 1:  # workers that spin between the graph's ~600 small steps take a busy machine's
        # cores from the thread that has work (the reader at 2 threads: 1.4x the CPU a reading, spinning)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3  # errors only
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own Fail / InvalidProtobuf / RuntimeException
        _say(f"{what}: onnxruntime cannot read {path} ({type(err).__name__}: {str(err)[:160]}); exporting it again.")
        remove(path)
        path = ensure_file(path, export, what, source)
        try:
            return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as err2:
            raise ModelUnavailable(f"onnxruntime cannot load {path} even after exporting it again "
                                   f"({type(err2).__name__}: {str(err2)[:160]}); set RAG_EMBED_RUNTIME=torch.") from None
