"""The Milvus store (rag/index/milvus/) against Milvus Lite for real: a temporary .db file,
or milvus-lite's TCP server shared by real subprocesses. The small deterministic fake embedder
stands for the model except in the one end-to-end test marked slow."""
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from rag.errors import ModelMismatch, RagError
from rag.retrieve.filters import Filters

REPO = Path(__file__).resolve().parents[1]

try:  # the store needs both; milvus-lite imports pkg_resources (setuptools<81)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import milvus_lite  # noqa: F401
        import pymilvus  # noqa: F401
    HAVE_MILVUS = True
    WHY = ""
except Exception as err:  # pragma: no cover - depends on the environment
    HAVE_MILVUS = False
    WHY = f"pymilvus / milvus-lite not importable ({type(err).__name__}: {err}); pip install '.[milvus]'"

needs_milvus = pytest.mark.skipif(not HAVE_MILVUS, reason=WHY)

DOCS = {
    "dachen.txt": "大陈村2024年接待游客40万人次，村集体经济收入达到120万元。\n\n大陈村位于山区，以茶叶闻名。",
    "qingshi.md": "---\ntitle: 青石村旅游\ndate: 2025-03-02\n---\n青石村2025年接待游客12万人次，比上年增长三成。",
    "news/daily_2023.md": "---\ntitle: 早年报道\ndate: 2023-06\n---\n2023年6月，东岭镇新建游客中心一座，投资300万元。",
    "news/100%_pure.txt": "百分之百的报道：西山乡游客服务站2025年全年接待游客5万人次。",
    "undated.txt": "某乡镇游客数量逐年增加，但没有写明日期。",
}


def _write(corpus: Path, docs=DOCS) -> None:
    for name, text in docs.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _settings(tmp_path, store: str, **kw):
    from rag.config import Settings

    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", model="fake-hashing",
                    cache_dir=tmp_path / "cache", reader="off", store=store, **kw)


@pytest.fixture
def closing():
    yield
    from rag.index.stores import close_all

    close_all()


@pytest.fixture
def milvus_pipe(tmp_path, closing):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    (tmp_path / "corpus").mkdir()
    _write(tmp_path / "corpus")
    pipe = Pipeline(_settings(tmp_path, f"milvus:{tmp_path / 'rag.db'}"), HashingEmbedder())
    pipe.build()
    return pipe


@pytest.fixture
def local_pipe(tmp_path):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    (tmp_path / "corpus").mkdir(exist_ok=True)
    _write(tmp_path / "corpus")
    pipe = Pipeline(_settings(tmp_path, "local"), HashingEmbedder())
    pipe.build()
    return pipe


# -- no Milvus needed ---------------------------------------------------------------------------

def test_store_setting_is_parsed_and_refused_when_unknown():
    from rag.index.stores import parse_store

    assert parse_store("local") == ("local", "")
    assert parse_store("milvus:http://h:19530") == ("milvus", "http://h:19530")
    assert parse_store(" milvus:data/x.db ") == ("milvus", "data/x.db")
    for bad in ("milvus", "milvus:", "qdrant:x", "local:x"):
        with pytest.raises(RagError):
            parse_store(bad)


def test_compare_reads_store_variants():
    from rag.evaluate.compare import parse_variants

    vs = parse_variants("store=local,bm25:k=3:store=milvus:http://10.0.0.5:19530,store=milvus")
    assert [(v.mode, v.top_k, v.store) for v in vs] == [
        (None, None, "local"), ("bm25", 3, "milvus:http://10.0.0.5:19530"), (None, None, "milvus")]
    with pytest.raises(RagError, match="store=local"):
        parse_variants("store=qdrant")


def test_literals_cannot_end_the_string():
    from rag.index.milvus.expr import like_pattern, literal

    assert literal('a" or 1==1 or "b') == r'"a\" or 1==1 or \"b"'
    assert literal("a\\") == '"a\\\\"'  # a trailing backslash cannot escape the closing quote
    with pytest.raises(RagError):
        literal("a\nb")
    assert like_pattern("100%_") == r"%100\%\_%"
    assert like_pattern("news/*.jsonl") == "news/%.jsonl"
    assert like_pattern("a?c") == "a_c"


def test_date_expression_agrees_with_filters():
    """The stored period (date_lo, date_hi) compared as the expression does, against Filters itself."""
    from rag.index.milvus.expr import date_bounds, period

    dates = [None, "", "2024", "2025", "2025-01", "2025-06", "2025-06-15", "2025-12-31", "2026-02-28", "sometime",
             "2025年6月3日", "2024-02"]
    bounds = ["2024", "2025", "2025-06", "2025-06-15", "2025-07", "2026"]
    for since in [None] + bounds:
        for until in [None] + bounds:
            for undated in ("keep", "drop"):
                try:
                    f = Filters(since=since, until=until, undated=undated)
                except RagError:
                    continue  # since after until
                for d in dates:
                    lo, hi = date_bounds(d)
                    if not lo:
                        got = undated == "keep"
                    else:
                        got = (not f.since or hi >= period(f.since)[0]) and (not f.until or lo <= period(f.until)[1])
                    assert got == f.date_matches(d), (since, until, undated, d)


def test_asking_for_milvus_without_pymilvus_says_what_to_install(tmp_path, monkeypatch, closing):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    monkeypatch.setitem(sys.modules, "pymilvus", None)  # import pymilvus -> ImportError
    pipe = Pipeline(_settings(tmp_path, f"milvus:{tmp_path / 'x.db'}"), HashingEmbedder())
    with pytest.raises(RagError, match=r"pip install '\.\[milvus\]'"):
        pipe.has_index()


def test_import_rag_does_not_import_pymilvus():
    code = ("import sys, rag, rag.pipeline, rag.index.stores, rag.index.milvus.store, rag.cli; "
            "print('pymilvus' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


# -- Milvus Lite --------------------------------------------------------------------------------

@needs_milvus
def test_build_ask_and_cite_exact_offsets(milvus_pipe):
    p = milvus_pipe
    st = p.status()
    assert st["documents"] == len(DOCS) and st["passages"] >= len(DOCS) and st["embedded"] == st["passages"]
    infos = {d.id: d for d in p.documents()}
    assert set(infos) == set(DOCS)
    assert infos["qingshi.md"].title == "青石村旅游" and infos["qingshi.md"].date == "2025-03-02"
    ans = p.ask("大陈村2024年接待了多少游客？")
    assert ans.answerable and "40万人次" in ans.answer
    for c in ans.citations:
        assert p.document(c.doc_id).text[c.start:c.end] == c.quote
    for mode in ("hybrid", "dense", "bm25"):
        hits = p.search("大陈村接待游客", mode=mode, k=3)
        assert hits and hits[0].chunk.doc_id == "dachen.txt", mode
        doc = p.document(hits[0].chunk.doc_id)
        assert doc.text[hits[0].chunk.start:hits[0].chunk.end] == hits[0].chunk.text
    assert p.search("大陈村接待游客", mode="hybrid")[0].dense_score is not None  # the answerer reads it


@needs_milvus
def test_equal_scores_are_ordered_as_in_the_local_store(tmp_path, closing):
    """Two passages with the same text tie; both stores put the one added first first."""
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    pipes = []
    for store in ("local", f"milvus:{tmp_path / 'tie.db'}"):
        root = tmp_path / store.partition(":")[0]
        (root / "corpus").mkdir(parents=True)
        p = Pipeline(_settings(root, store), HashingEmbedder())
        for name in ("zz.txt", "aa.txt", "mm.txt"):  # added in this order, not in the order of their names
            path = root / "corpus" / name
            path.write_text("金华港2025年吞吐量达到九百万吨。" if name != "mm.txt" else "无关的天气预报。", encoding="utf-8")
            p.add_files([path])
        pipes.append(p)
    # (hybrid: the engine ranks the ties inside each retriever itself before fusing, by primary key, so
    # duplicate passages may come in the other order; a tie of the fused scores is broken as here)
    for mode in ("dense", "bm25"):
        local, milvus = ([h.chunk.doc_id for h in p.search("金华港吞吐量", k=2, mode=mode)] for p in pipes)
        assert local == milvus == ["zz.txt", "aa.txt"], mode


@needs_milvus
def test_filters_give_the_same_documents_as_the_local_store(milvus_pipe, local_pipe):
    cases = [Filters(since="2025"), Filters(until="2024"), Filters(since="2025-03", until="2025-03"),
             Filters(since="2023", undated="drop"), Filters(undated="drop"), Filters(source="NEWS/"),
             Filters(source="news/*.md"), Filters(source="*100%*"), Filters(source="100%_"),
             Filters(source="[dq]*"), Filters(source="daily_202?.md"), Filters(source="nowhere")]
    for f in cases:
        want = {h.chunk.doc_id for h in local_pipe.search("游客", k=50, mode="dense", filters=f)}
        got = {h.chunk.doc_id for h in milvus_pipe.search("游客", k=50, mode="dense", filters=f)}
        assert got == want, f


@needs_milvus
def test_a_filter_value_cannot_inject_an_expression(milvus_pipe):
    assert milvus_pipe.search("游客", k=50)  # something to leave out
    for evil in ['" or doc_id != "', "\\\" or 1==1 or \"", "x') or (1==1", "% or 1==1"]:
        assert milvus_pipe.search("游客", k=50, filters=Filters(source=evil)) == [], evil
    with pytest.raises(RagError):
        milvus_pipe.search("游客", filters=Filters(source="a\x01b"))
    assert milvus_pipe.index.document('" or 1==1 or "') is None
    assert milvus_pipe.status()["documents"] == len(DOCS)  # and the engine is still there


@needs_milvus
def test_reindex_replaces_a_changed_document_and_deletes_removed_ones(milvus_pipe):
    p = milvus_pipe
    corpus = p.settings.corpus_dir
    long_text = "。".join(f"第{i}段：旧的内容讲述山区茶园第{i}次扩建" for i in range(60)) + "。"
    (corpus / "dachen.txt").write_text(long_text, encoding="utf-8")
    p.build()
    many = p.status()["passages"]
    (corpus / "dachen.txt").write_text("大陈村2025年接待游客55万人次。", encoding="utf-8")
    (corpus / "undated.txt").unlink()
    report = p.build()
    assert report.removed_documents == 1
    assert p.status()["passages"] < many and p.status()["documents"] == len(DOCS) - 1
    assert p.document("dachen.txt").text == "大陈村2025年接待游客55万人次。"
    assert all("茶园" not in h.chunk.text for h in p.search("山区茶园扩建", k=50, mode="bm25"))
    assert "undated.txt" not in {d.id for d in p.documents()}
    ans = p.ask("大陈村2025年接待了多少游客？")
    assert "55万人次" in ans.answer


@needs_milvus
def test_many_documents_replaced_in_one_batch(milvus_pipe):
    """A batch of many documents (more passages than one write), each replaced by a shorter version."""
    from rag.index.milvus.store import BATCH

    p = milvus_pipe
    folder = p.settings.corpus_dir / "many"
    folder.mkdir()
    n = BATCH // 2
    for i in range(n):
        (folder / f"d{i:03d}.txt").write_text("。".join(f"第{i}号村第{j}项工程投资{j + i}万元" for j in range(30)) + "。",
                                              encoding="utf-8")
    p.build()
    before = p.status()["passages"]
    for i in range(n):
        (folder / f"d{i:03d}.txt").write_text(f"第{i}号村只剩一项工程。", encoding="utf-8")
    p.build()
    st = p.status()
    assert st["documents"] == len(DOCS) + n and st["passages"] < before
    assert {d.passages for d in p.documents() if d.id.startswith("many/")} == {1}
    assert p.document("many/d007.txt").text == "第7号村只剩一项工程。"


@needs_milvus
def test_term_weights_count_passages_and_estimate_common_terms(tmp_path, monkeypatch, closing):
    """The answerer's idf: exact passage counts for rarer terms; above IDF_DEPTH, counted in a
    fraction of the hash buckets and scaled up."""
    import rag.index.milvus.schema as ms
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    monkeypatch.setattr(ms, "IDF_DEPTH", 40)
    monkeypatch.setattr(ms, "BUCKETS", 64)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [f"第{i}号公告：本村道路{'维修' if i % 13 == 0 else '养护'}工作第{i}期完成。" for i in range(400)]
    (corpus / "many.jsonl").write_text("\n".join(json.dumps({"id": f"n{i}", "text": t}, ensure_ascii=False)
                                                for i, t in enumerate(lines)), encoding="utf-8")
    p = Pipeline(_settings(tmp_path, f"milvus:{tmp_path / 'idf.db'}"), HashingEmbedder())
    p.build()
    view = p.index
    rare, common, absent = view.term_counts(["维修", "道路", "火箭"])
    assert rare == len(range(0, 400, 13)) and absent == 0  # exactly, below the limit
    assert 400 * 0.6 <= common <= 400 * 1.4 and common != 40  # estimated, not cut at the limit
    assert view.bm25.idf_of("火箭") is None and view.bm25.idf_of("维修") > view.bm25.idf_of("道路")


@needs_milvus
def test_upload_and_delete_through_the_pipeline(milvus_pipe, tmp_path):
    p = milvus_pipe
    new = p.settings.corpus_dir / "upload.txt"
    new.write_text("南湖村2025年新建停车场两处，车位800个。", encoding="utf-8")
    report = p.add_files([new])
    assert report.added == ((str(new), 1),)
    assert p.search("南湖村停车场车位", k=1)[0].chunk.doc_id == "upload.txt"
    p.delete_documents(["upload.txt"])
    assert "upload.txt" not in {d.id for d in p.documents()}
    assert all(h.chunk.doc_id != "upload.txt" for h in p.search("南湖村停车场车位", k=50))
    from rag.errors import UnknownDocument

    with pytest.raises(UnknownDocument):
        p.delete_documents(["upload.txt"])


@needs_milvus
def test_a_long_document_is_stored_whole(milvus_pipe):
    from rag.index.milvus.schema import PART_CHARS

    p = milvus_pipe
    text = "".join(f"第{i}条：长文档的内容，第{i}句，记录𠀀字与数字{i}。" for i in range(PART_CHARS // 8))
    assert len(text) > 2 * PART_CHARS
    path = p.settings.corpus_dir / "long.txt"
    path.write_text(text, encoding="utf-8")
    p.add_files([path])
    assert p.document("long.txt").text == text
    hit = p.search("第1999条", k=1, mode="bm25")[0]
    assert hit.chunk.doc_id == "long.txt" and text[hit.chunk.start:hit.chunk.end] == hit.chunk.text


@needs_milvus
def test_another_model_or_dimension_is_refused(milvus_pipe):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    other = Pipeline(milvus_pipe.settings.with_(model="other-model"), HashingEmbedder(dim=128, name="other-model"))
    with pytest.raises(ModelMismatch, match="fake-hashing"):
        other.ask("游客")
    with pytest.raises(ModelMismatch, match="RAG_MILVUS_COLLECTION"):
        other.build()
    assert milvus_pipe.status()["documents"] == len(DOCS)  # nothing was dropped
    resized = Pipeline(milvus_pipe.settings, HashingEmbedder(dim=64))  # same name, other dimension
    with pytest.raises(ModelMismatch, match="64"):
        resized.build()


@needs_milvus
def test_an_unreachable_server_is_one_actionable_line(closing):
    from rag.index.milvus.store import MilvusStore

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    t0 = time.monotonic()
    with pytest.raises(RagError) as err:
        MilvusStore(f"http://127.0.0.1:{port}", timeout=2).exists()
    assert time.monotonic() - t0 < 30
    msg = str(err.value)
    assert "\n" not in msg and f"127.0.0.1:{port}" in msg and "RAG_STORE" in msg


@needs_milvus
def test_compare_local_and_milvus_side_by_side(local_pipe, closing):
    from rag.evaluate.compare import parse_variants, run_compare
    from rag.evaluate.runner import QAItem

    items = [QAItem("1", "大陈村2024年接待了多少游客？", ("40万人次",), gold_doc=("dachen.txt",)),
             QAItem("2", "青石村2025年接待游客多少？", ("12万人次",), gold_doc=("qingshi.md",)),
             QAItem("3", "东岭镇游客中心投资多少？", ("300万元",), gold_doc=("news/daily_2023.md",))]
    results = run_compare(local_pipe, items, parse_variants("store=local,store=milvus,bm25:store=milvus"))
    assert [r.variant.name for r in results] == ["store=local", "store=milvus", "bm25:store=milvus"]
    a, b = results[0].summary, results[1].summary
    assert a["hit@1"] == b["hit@1"] and a["answer_accuracy"] == b["answer_accuracy"]
    assert results[2].mode == "bm25"
    assert [r.ranked_doc_ids[:1] for r in results[0].records] == [r.ranked_doc_ids[:1] for r in results[1].records]
    assert [r.prediction["answer"] for r in results[0].records] == [r.prediction["answer"] for r in results[1].records]


@needs_milvus
def test_the_command_line_takes_store(tmp_path, monkeypatch, capsys, closing):
    from rag.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus)
    for name, value in {"RAG_MODEL": "fake-hashing", "RAG_CORPUS_DIR": str(corpus), "RAG_READER": "off",
                        "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_CACHE_DIR": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)
    store = f"milvus:{tmp_path / 'cli.db'}"

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("ask", "游客", "--store", store)
    assert code == 1 and "rag index" in err and "\n" not in err.strip()  # nothing there yet: what to do
    code, out, _ = run("index", "--store", store)
    assert code == 0 and f"Indexed {len(DOCS)} documents" in out and "cli.db" in out
    assert not (tmp_path / "index").exists()  # nothing written to the local index folder
    code, out, _ = run("ask", "大陈村2024年接待了多少游客？", "--json", "--store", store)
    ans = json.loads(out)
    assert code == 0 and "40万人次" in ans["answer"] and ans["citations"][0]["doc_id"] == "dachen.txt"
    code, out, _ = run("docs", "--store", store)
    assert code == 0 and len(out.strip().splitlines()) == len(DOCS)
    code, out, _ = run("status", "--store", store)
    assert code == 0 and out.startswith(f"{len(DOCS)} documents")
    monkeypatch.setenv("RAG_STORE", store)  # the environment does the same as the flag
    code, out, _ = run("doctor")
    assert code == 0 and "collection rag" in out and "All good." in out
    code, _, err = run("ask", "游客", "--store", "milvus:")
    assert code == 1 and "milvus:path/to/file.db" in err


@needs_milvus
def test_the_api_and_the_chat_answer_from_milvus(milvus_pipe):
    """The shells do not know the store: /api/ask, documents, upload, delete, /v1 and the chat handler."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("gradio")
    from urllib.parse import quote

    from rag.api import create_app
    from rag.ui import mount
    from rag.ui.chat import ChatHandlers
    from tests.helpers import running

    with running(create_app(milvus_pipe, page=mount)) as base, httpx.Client(base_url=base, timeout=60) as http:
        got = http.post("/api/ask", json={"question": "大陈村2024年接待了多少游客？", "since": "2024"}).json()
        assert "40万人次" in got["answer"]
        cite = got["citations"][0]
        doc = http.get("/api/documents/" + quote(cite["doc_id"], safe="")).json()
        assert doc["text"][cite["start"]:cite["end"]] == cite["quote"]
        assert len(http.get("/api/documents").json()["documents"]) == len(DOCS)
        r = http.post("/api/documents", files={"files": ("nanhu.txt", "南湖村2025年新建停车场两处，车位800个。".encode())})
        assert r.status_code == 201 and r.json()["added"][0]["documents"] == ["nanhu.txt"], r.text
        got = http.post("/api/ask", json={"question": "南湖村新建了多少个车位？"}).json()
        assert got["citations"] and got["citations"][0]["doc_id"] == "nanhu.txt"
        assert http.delete("/api/documents/nanhu.txt").status_code == 200
        assert "nanhu.txt" not in {d["id"] for d in http.get("/api/documents").json()["documents"]}
        chat = http.post("/v1/chat/completions", json={"model": "rag", "messages": [
            {"role": "user", "content": "青石村2025年接待游客多少？"}]}).json()
        assert "12万人次" in chat["choices"][0]["message"]["content"]
    steps = list(ChatHandlers(milvus_pipe).respond("大陈村2024年接待了多少游客？", [], []))
    assert "40万人次" in steps[-1][1][-1]["content"]


# -- several processes on one Milvus Lite server -------------------------------------------------

WORKER = textwrap.dedent("""
    import json, sys, time
    from rag.config import Settings
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline
    role, store, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
    from pathlib import Path
    s = Settings(corpus_dir=Path(corpus), index_dir=Path(corpus + "-index"), model="fake-hashing", reader="off",
                 store=store)
    p = Pipeline(s, HashingEmbedder())
    out = {"answers": []}
    if role == "writer":
        path = corpus + "/late.txt"
        open(path, "w", encoding="utf-8").write("北岭村2025年引进企业9家，新增就业岗位650个。")
        for q in ["大陈村2024年接待了多少游客？"] * 5:
            out["answers"].append(p.ask(q).answer)
        p.add_files([path])
        out["added"] = True
    else:
        for q in ["青石村2025年接待游客多少？"] * 5:
            out["answers"].append(p.ask(q).answer)
        deadline = time.monotonic() + 90
        seen = False
        while time.monotonic() < deadline and not seen:
            seen = any(h.chunk.doc_id == "late.txt" for h in p.search("北岭村引进企业 就业岗位", k=3))
            time.sleep(0.2)
        out["saw_late"] = seen
    print(json.dumps(out, ensure_ascii=False))
""")


@needs_milvus
def test_two_processes_share_one_milvus_lite_server(tmp_path, closing):
    from rag.models.embed import HashingEmbedder
    from rag.index.milvus.lite_server import start
    from rag.pipeline import Pipeline

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start(str(tmp_path / "shared.db"), port)
    try:
        store = f"milvus:http://127.0.0.1:{port}"
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        _write(corpus)
        Pipeline(_settings(tmp_path, store), HashingEmbedder()).build()
        env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
        procs = [subprocess.Popen([sys.executable, "-c", WORKER, role, store, str(corpus)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env) for role in ("reader", "writer")]
        outs = [p.communicate(timeout=240) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err[-2000:]
        reader, writer = (json.loads(out.strip().splitlines()[-1]) for out, _ in outs)
        assert writer["added"] and reader["saw_late"]
        assert all("12万人次" in a for a in reader["answers"])
        assert all("40万人次" in a for a in writer["answers"])
    finally:
        server.stop()


# -- the real model ------------------------------------------------------------------------------

@needs_milvus
@pytest.mark.slow
def test_seed_page_gives_the_same_answers_on_both_stores(seed_pipeline, tmp_path, closing):
    from rag.pipeline import Pipeline

    settings = seed_pipeline.settings.with_(store=f"milvus:{tmp_path / 'seed.db'}")
    milvus = Pipeline(settings, seed_pipeline.embedder, reader=seed_pipeline.reader)
    from rag.index.stores import open_store

    open_store(settings).fill(settings, list(seed_pipeline.index.documents), seed_pipeline.embedder)
    for q in ["大陈村2024年接待了多少游客？", "大陈村2024年村集体经济收入多少？", "火星上有多少游客？"]:
        a, b = seed_pipeline.ask(q), milvus.ask(q)
        assert (a.answer, a.short_answer, a.answerable) == (b.answer, b.short_answer, b.answerable), q
        assert [(c.doc_id, c.start, c.end) for c in a.citations] == [(c.doc_id, c.start, c.end) for c in b.citations]
