"""Knowledge bases over HTTP with real clients: the real server (uvicorn, FastAPI, the page mounted)
over two invented collections indexed with the fake embedder; httpx, the openai SDK choosing a
knowledge base by `model`, LangChain's ChatOpenAI; tokens limited to knowledge bases."""
from __future__ import annotations

import dataclasses
import html

import pytest

httpx = pytest.importorskip("httpx")

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from tests.helpers import running  # noqa: E402
from tests.kb_data import Q_BOTH, Q_NEWS, Q_POLICY, library_with_two  # noqa: E402

ALL_ADMIN, ALL_READ = "tok-all-admin-1", "tok-all-read-22"
NEWS_READ, POLICY_ADMIN = "tok-news-read-3", "tok-policy-adm-4"
TOKENS = f"{ALL_ADMIN}:admin,{ALL_READ}:read,{NEWS_READ}:read@news,{POLICY_ADMIN}:admin@policy"
USERS = "carol:pw-carol:read@policy"
NEW_DOC = ("extra.txt", "石门县新建停车场\n2024年，石门县新建停车场一座，车位400个。\n".encode())


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("kbapi")
    default, _ = library_with_two(root)
    default.settings = dataclasses.replace(default.settings, tokens=TOKENS, auth=USERS)
    with running(create_app(default, page=mount)) as base:
        yield base, root


def client(served, token=None, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=served[0], timeout=30, headers=headers, **kw)


def ask(c, **body):
    return c.post("/api/ask", json={"question": Q_BOTH, **body})


def kbs_of(reply: dict) -> set:
    return {cite["kb"] for cite in reply["citations"]}


def error(r, status):
    assert r.status_code == status, r.text
    return r.json()["error"]["message"]


def test_each_question_only_from_the_knowledge_bases_asked(served):
    with client(served, ALL_READ) as c:
        r = ask(c, question=Q_NEWS, kb="news").json()
        assert r["answerable"] and "320米" in r["answer"] and kbs_of(r) == {"news"}
        r = ask(c, question=Q_NEWS, kb="policy").json()
        assert "320米" not in r["answer"] and kbs_of(r) <= {"policy"}
        r = ask(c, kbs=["news", "policy"]).json()
        assert kbs_of(r) == {"news", "policy"} and "12万人次" in r["answer"] and "45万人次" in r["answer"]
        r = ask(c, question="永康市2024年一般公共预算收入是多少？").json()  # no kb: default
        assert "95亿元" in r["answer"] and kbs_of(r) == {"default"}
        names = [kb["name"] for kb in c.get("/api/kbs").json()["knowledge_bases"]]
        assert names == ["default", "news", "policy"]


def test_openai_sdk_and_langchain_choose_a_knowledge_base_by_model(served):
    openai = pytest.importorskip("openai")
    sdk = openai.OpenAI(base_url=served[0] + "/v1", api_key=ALL_READ, max_retries=0)
    assert [m.id for m in sdk.models.list()] == ["default", "news", "policy"]
    assert sdk.models.retrieve("rag").id == "rag"
    out = sdk.chat.completions.create(model="policy", messages=[{"role": "user", "content": Q_POLICY}])
    assert "3000元" in out.choices[0].message.content and out.model == "policy"
    assert {c["kb"] for c in out.model_extra["citations"]} == {"policy"}
    out = sdk.chat.completions.create(model="news+policy", messages=[{"role": "user", "content": Q_BOTH}])
    assert {c["kb"] for c in out.model_extra["citations"]} == {"news", "policy"}
    assert "(news)" in out.choices[0].message.content and "(policy)" in out.choices[0].message.content
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="nope", messages=[{"role": "user", "content": Q_NEWS}])
    lc = pytest.importorskip("langchain_openai")
    chat = lc.ChatOpenAI(model="news", base_url=served[0] + "/v1", api_key=ALL_READ, max_retries=0,
                         use_responses_api=False)
    assert "320米" in chat.invoke(Q_NEWS).content


def test_a_token_limited_to_one_never_learns_of_the_other(served):
    with client(served, NEWS_READ) as c:
        assert [m["id"] for m in c.get("/v1/models").json()["data"]] == ["news"]
        assert [kb["name"] for kb in c.get("/api/kbs").json()["knowledge_bases"]] == ["news"]
        hidden = error(ask(c, kb="policy"), 404)
        missing = error(ask(c, kb="nosuch"), 404)
        assert hidden.replace("policy", "X") == missing.replace("nosuch", "X")  # the same answer
        error(ask(c, kbs=["news", "policy"]), 404)
        error(ask(c), 404)  # not even default
        error(c.get("/v1/models/policy"), 404)
        error(c.get("/api/documents", params={"kb": "policy"}), 404)
        r = c.post("/v1/chat/completions", json={"model": "policy", "messages": [{"role": "user", "content": Q_POLICY}]})
        assert error(r, 404).replace("policy", "X") == missing.replace("nosuch", "X")
        assert kbs_of(ask(c, kb="news").json()) == {"news"}
        docs = c.get("/api/documents", params={"kb": "news"}).json()["documents"]
        assert {d["id"] for d in docs} == {"qingshi.txt", "bridge.txt"}
    with client(served, auth=("carol", "pw-carol")) as c:  # a RAG_AUTH user limited the same way
        assert [m["id"] for m in c.get("/v1/models").json()["data"]] == ["policy"]
        error(ask(c, kb="news"), 404)


def test_the_page_picker_lists_only_what_the_user_may_read(served):
    from rag.auth import Auth, token_id
    from rag.ui.chat import ChatHandlers
    from rag.ui.knowledge import KnowledgeHandlers

    root = served[1]
    _, lib = library_with_two(root / "page")
    settings = dataclasses.replace(lib.settings, tokens=TOKENS, auth=USERS)
    lib.pipeline().settings = settings
    auth = Auth.from_settings(settings)

    class Req:
        username = auth.page_name("ann", NEWS_READ)

    assert Req.username.endswith(token_id(NEWS_READ))
    chat = ChatHandlers(lib.pipeline(), lib)
    picker = chat.kb_choices(Req())
    assert [v for _, v in picker["choices"]] == ["news"] and picker["value"] == ["news"]
    steps = list(chat.respond(Q_POLICY, [], [], kbs=["policy"], request=Req()))
    assert "No knowledge base 'policy'" in html.unescape(steps[-1][1][-1]["content"])
    steps = list(chat.respond(Q_NEWS, [], [], kbs=["news"], request=Req()))
    assert "320米" in steps[-1][1][-1]["content"]
    kb = KnowledgeHandlers(lib.pipeline(), settings, lib)
    assert [v for _, v in kb.kb_choices(Req())["choices"]] == ["news"]
    status, rows, _ = kb.listing(None, "policy", request=Req())
    assert rows == [] and "policy" in status
    status, rows, _ = kb.listing(None, "news", "桥", request=Req())
    assert [r[0] for r in rows] == ["柳溪镇新桥通车"] and "找到 1 篇" in status


def test_an_admin_of_one_cannot_change_another(served):
    with client(served, POLICY_ADMIN) as c:
        r = c.post("/api/documents", params={"kb": "policy"}, files={"files": NEW_DOC})
        assert r.status_code == 201, r.text
        assert error(c.post("/api/documents", params={"kb": "news"}, files={"files": NEW_DOC}), 404)
        error(c.post("/api/documents", files={"files": NEW_DOC}), 404)  # default is not its either
        error(c.delete("/api/documents/qingshi.txt", params={"kb": "news"}), 404)
        assert "admin of all" in error(c.post("/api/kbs", json={"name": "mine"}), 403)
        error(c.delete("/api/kbs/news"), 404)
        assert "admin of all" in error(c.delete("/api/kbs/policy"), 403)
        assert c.delete("/api/documents/extra.txt", params={"kb": "policy"}).status_code == 200
    with client(served, NEWS_READ) as c:  # a reader: no change anywhere
        error(c.post("/api/documents", params={"kb": "news"}, files={"files": NEW_DOC}), 403)
    with client(served, ALL_READ) as c:
        assert {d["id"] for d in c.get("/api/documents", params={"kb": "news"}).json()["documents"]} == \
            {"qingshi.txt", "bridge.txt"}
    from rag.auth import Auth, parse_tokens

    auth = Auth(tokens=parse_tokens(TOKENS))

    class Req:  # the page: the same token signed in
        username = auth.page_name("pat", POLICY_ADMIN)

    assert auth.page_may_write(Req(), "policy") and not auth.page_may_write(Req(), "news")
    assert not auth.page_may_write(Req(), "default")
    from rag.ui.knowledge import KnowledgeHandlers

    _, lib = library_with_two(served[1] / "page-admin")
    settings = dataclasses.replace(lib.settings, tokens=TOKENS, auth=USERS)
    page = KnowledgeHandlers(lib.pipeline(), settings, lib)
    status, rows, *_ = page.delete("qingshi.txt", "news", request=Req())  # on the page: refused, nothing changed
    assert "管理员" in status and rows == []  # and nothing of it listed
    assert {d.id for d in lib.pipeline("news").documents()} == {"qingshi.txt", "bridge.txt"}

    class Reader:
        username = auth.page_name("rita", ALL_READ)

    status, rows, *_ = page.delete("qingshi.txt", "news", request=Reader())
    assert "管理员" in status and len(rows) == 2
    status, *_ = page.delete("subsidy.txt", "policy", request=Req())  # its own: allowed (the last one: refused as empty)
    assert "管理员" not in status


def test_kbs_created_and_deleted_by_an_admin_of_all_and_bad_names(served):
    with client(served, ALL_ADMIN) as c:
        r = c.post("/api/kbs", json={"name": "temp", "title": "临时 Temp"})
        assert r.status_code == 201 and r.json()["may_change"] is True
        error(c.post("/api/kbs", json={"name": "temp"}), 409)
        assert c.get("/api/documents", params={"kb": "temp"}).json() == {"documents": []}
        r = c.post("/api/documents", params={"kb": "temp"}, files={"files": NEW_DOC})
        assert r.status_code == 201, r.text
        r = ask(c, question="石门县新建停车场有多少个车位？", kb="temp").json()
        assert "400个" in r["answer"] and kbs_of(r) == {"temp"}
        assert "400个" not in ask(c, question="石门县新建停车场有多少个车位？", kb="policy").json()["answer"]
        before = [kb["name"] for kb in c.get("/api/kbs").json()["knowledge_bases"]]
        for body in ({"kb": "../policy"}, {"kb": "News"}, {"kb": "a" * 100}, {"kbs": ["news", "../x"]},
                     {"kb": "news", "kbs": ["policy"]}, {"kbs": []}, {"kb": 5}):
            r = ask(c, **body)
            assert r.status_code == 400, (body, r.text)
        error(c.post("/api/kbs", json={"name": "../evil"}), 400)
        error(c.post("/api/kbs", json={"name": "x", "store": "milvus:http://10.0.0.1:19530"}), 400)
        error(c.delete("/api/kbs/default"), 409)
        error(c.delete("/api/kbs/nosuch"), 404)
        assert [kb["name"] for kb in c.get("/api/kbs").json()["knowledge_bases"]] == before  # nothing changed
        assert c.delete("/api/kbs/temp").json() == {"deleted": "temp"}
        error(ask(c, kb="temp"), 404)
        assert not (served[1] / "kbs" / "temp").exists()
        assert "3000元" in ask(c, question=Q_POLICY, kb="policy").json()["answer"]
    with client(served, ALL_READ) as c:
        error(c.post("/api/kbs", json={"name": "mine"}), 403)
