"""`rag doctor`: check an index and its corpus without changing either, and say what to do.

    check(settings) -> list[Finding]

What is checked: a build running now (the write lock), folders that killed builds left behind, that
the index is there (or can be put back), that its manifest reads and its files agree with it
(format, counts, document hashes), that it was built with the selected model, that every
document's file is still there, which corpus files are not indexed, uploads not committed
(rag/staging.py) and passages without vectors. "All good." only when nothing is left to do.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError

OK, NOTE, PROBLEM = "ok", "note", "problem"
SHOWN = 3  # examples named in one finding


@dataclass(frozen=True)
class Finding:
    level: str  # ok | note | problem
    message: str  # what was found and, unless all is well, what to do


def check(settings) -> list[Finding]:
    return _store_check(settings) + _llm_findings(settings)


def _llm_findings(settings) -> list[Finding]:
    """With an endpoint configured: whether it answers and knows the model (GET /models)."""
    url = (settings.llm_base_url or "").rstrip("/")
    if not url:
        return []
    import httpx

    from rag.answer.generate import display_url

    base = display_url(url)  # what is printed: no credentials or query
    key = settings.llm_api_key
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    fallback = "until it does, generative questions get the extractive answer with a note"
    try:
        r = httpx.get(url + "/models", headers=headers, timeout=5)
    except httpx.HTTPError as err:
        return [Finding(PROBLEM, f"the language model endpoint {base} cannot be reached ({type(err).__name__}); "
                                 f"start it or fix RAG_LLM_BASE_URL; {fallback}")]
    if r.status_code in (401, 403):
        return [Finding(PROBLEM, f"the language model endpoint {base} refuses the API key (HTTP {r.status_code}); "
                                 f"check RAG_LLM_API_KEY; {fallback}")]
    if r.status_code != 200:
        return [Finding(NOTE, f"the language model endpoint {base} answers GET /models with HTTP {r.status_code}; "
                              "ask a question to check it")]
    try:
        names = {m.get("id") for m in r.json().get("data", [])}
    except (ValueError, AttributeError):
        names = set()
    model = settings.llm_model
    if model and names and model not in names:
        return [Finding(PROBLEM, f"the endpoint {base} does not list the model {model!r} "
                                 f"(it lists {_names(sorted(n for n in names if n))}); fix RAG_LLM_MODEL")]
    return [Finding(OK, f"language model endpoint {base} answers" + (f"; model {model!r} listed" if model else ""))]


def _store_check(settings) -> list[Finding]:
    from rag.index import store
    from rag.index.stores import open_store
    from rag import locks

    opened = open_store(settings)
    if opened.kind != "local":  # a server's store: it checks its own files
        return _remote_findings(opened, settings)
    directory = Path(settings.index_dir)
    out: list[Finding] = []
    busy = locks.busy(directory)
    if busy:
        out.append(Finding(NOTE, f"another process is changing the index at {directory} now; "
                                 "run `rag doctor` again when it has finished"))
    left = store.leftovers(directory)
    restorable = store.restorable(directory)
    stale = [p for p in left if p != restorable]
    if stale and not busy:
        out.append(Finding(PROBLEM, f"{len(stale)} folder(s) left by builds that were cut short "
                                    f"({_names(stale)}); the next `rag index` (or any change in the app) "
                                    "removes them"))
    if not (directory / "manifest.json").is_file():
        if restorable is not None:
            out.append(Finding(PROBLEM, f"no index at {directory}, but a build was cut short while swapping "
                                        f"and the previous index is intact in {restorable.name}; "
                                        f"`rag index --index {directory}` puts it back and updates it"))
        else:
            out.append(Finding(PROBLEM, f"no index at {directory}; build one with `rag index --index {directory}`"))
        return out
    try:
        json.loads((directory / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as err:
        out.append(Finding(PROBLEM, f"the manifest of {directory} cannot be read ({type(err).__name__}); "
                                    f"rebuild the index with `rag index --index {directory}`"))
        return out
    try:
        idx = store.load(directory)
    except RagError as err:
        out.append(Finding(PROBLEM, f"{err}"))
        return out
    out.extend(_index_findings(idx, settings))
    out.extend(_file_findings(idx, settings))
    return out


def _index_findings(idx, settings) -> list[Finding]:
    from rag.index.backend import content_hash

    m, out = idx.manifest, []
    model = m.get("model")
    if model != settings.model:
        out.append(Finding(PROBLEM, f"the index was built with model {model!r} but {settings.model!r} is "
                                    f"selected; select {model!r} (RAG_MODEL or --model) or rebuild with "
                                    "`rag index`"))
    infos = idx.doc_infos()
    ids = [d.id for d in infos]
    hashes = idx.doc_hashes
    bad = []
    if m.get("documents") != len(ids) or len(set(ids)) != len(ids):
        bad.append(f"the manifest counts {m.get('documents')} documents, the index holds {len(ids)} "
                   f"({len(set(ids))} distinct ids)")
    if set(hashes) != set(ids):
        bad.append("the manifest's document list differs from the stored documents")
    changed = [d.id for d in idx.documents if d.id in hashes and hashes[d.id] != content_hash(d)]
    if changed:
        bad.append(f"{len(changed)} stored document(s) differ from their hash ({_names(changed)})")
    without = sorted(d.id for d in infos if not d.passages)
    if without:
        bad.append(f"{len(without)} document(s) have no passages ({_names(without)})")
    st = idx.status()
    if bad:
        out.append(Finding(PROBLEM, "; ".join(bad) + f"; rebuild with `rag index --index {settings.index_dir}`"))
    else:
        out.append(Finding(OK, f"index {settings.index_dir}: {len(ids)} documents, {st['passages']} passages, "
                               f"model {model}, built {m.get('created', '?')}"))
    if st["embedded"] < st["passages"]:
        out.append(Finding(NOTE, f"{st['passages'] - st['embedded']} passage(s) have no vectors yet "
                                 f"({st['embedded']} of {st['passages']}, "
                                 f"{100 * st['embedded'] / max(st['passages'], 1):.1f}%, have them); they are found "
                                 "by BM25 alone until `rag embed` (resumable, can run beside the app) or the "
                                 "server, at its start, embeds them"))
    return out


def _remote_findings(remote, settings) -> list[Finding]:
    """A store such as Milvus: reachable, its collection there and built with the selected model,
    and the corpus files against what it holds."""
    try:
        idx = remote.view()
        st = idx.status()
    except RagError as err:
        return [Finding(PROBLEM, str(err))]
    out = []
    model = idx.manifest.get("model")
    if model != settings.model:
        out.append(Finding(PROBLEM, f"the collection holds vectors of model {model!r} but {settings.model!r} is "
                                    f"selected; select {model!r} (RAG_MODEL or --model) or use another collection"))
    out.append(Finding(OK, f"{settings.store} collection {remote.name}: {st['documents']} documents, "
                           f"{st['passages']} passages, model {model}, vector index {idx.manifest.get('index')}"))
    return out + _file_findings(idx, settings)


def _file_findings(idx, settings) -> list[Finding]:
    from rag.ingest import file_key, list_files
    from rag.staging import staged_uploads

    corpus = Path(settings.corpus_dir)
    out = []
    infos = idx.doc_infos()
    unowned = [d.id for d in infos if not d.file]
    if unowned:
        out.append(Finding(PROBLEM, f"{len(unowned)} document(s) do not record the file they were read from "
                                    "(an index built by an older version), so deleting them in the app "
                                    "cannot remove their file; rebuild with `rag index` to record it"))
    files = sorted({d.file for d in infos if d.file})
    gone = [f for f in files if not _where(f, corpus).is_file()]
    if gone:
        out.append(Finding(PROBLEM, f"{len(gone)} indexed file(s) are gone ({_names(gone)}); their documents are "
                                    "still answered from; run `rag index` (with the same paths as before) to "
                                    "drop them, or put the files back"))
    elif files:
        out.append(Finding(OK, f"all {len(files)} indexed files are present"))
    staged = staged_uploads(corpus)
    if staged:
        out.append(Finding(NOTE, f"{len(staged)} upload(s) not committed ({_names(staged)}): in flight now, or "
                                 "cut short by a stop; the server at its start, or `rag index`, finishes those "
                                 "already indexed and removes the others"))
    if corpus.is_dir():
        indexed = set(files)
        missing = [p for p in list_files([corpus], corpus) if file_key(p, corpus) not in indexed]
        if missing:
            out.append(Finding(NOTE, f"{len(missing)} file(s) in {corpus} are not indexed "
                                     f"({_names([file_key(p, corpus) for p in missing])}): new, or unreadable; "
                                     "`rag index` adds them or says why it cannot"))
    return out


def _where(file: str, corpus: Path) -> Path:
    path = Path(file)
    return path if path.is_absolute() else corpus / path


def _names(items) -> str:
    items = [getattr(i, "name", i) for i in items]
    shown = ", ".join(str(i) for i in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def report_text(findings: list[Finding]) -> str:
    lines = [f"{f.level:8s}{f.message}" for f in findings]
    problems = sum(f.level == PROBLEM for f in findings)
    notes = sum(f.level == NOTE for f in findings)
    if problems:
        lines.append(f"{problems} problem(s) found; see above.")
    elif notes:
        lines.append(f"No problems; {notes} note(s) above say what is left to do.")
    else:
        lines.append("All good.")
    return "\n".join(lines)
