"""Hostile inputs at the ingest boundary: links out of the corpus, pipes and devices, bombs, huge
and damaged files. Each case runs in a child process with a time and memory limit, so that a
regression fails the test instead of hanging the run or exhausting the machine."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import rag

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX files: pipes, links, rlimits")

GOOD = "永康市今年新增口袋公园三十六个。\n市民满意度明显提升。"
MB = 1024 * 1024

_CHILD = r"""
import json, os, resource, sys, time
limit = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.nice(5)
from rag.ingest import load_paths
args = json.loads(sys.argv[1])
start = time.perf_counter()
docs, problems = load_paths(args["paths"], root=args["root"])
print(json.dumps({"seconds": time.perf_counter() - start,
                  "docs": [[d.id, d.source, d.text] for d in docs],
                  "problems": [[p.path, p.message] for p in problems]}, ensure_ascii=False))
"""


def ingest(paths, root=None, timeout=30, memory_mb=1024, env=None) -> dict:
    """load_paths in a child process; a hang or a crash fails the test with what happened."""
    args = json.dumps({"paths": [str(p) for p in paths], "root": str(root) if root else None})
    child_env = {**os.environ, "PYTHONPATH": str(Path(rag.__file__).resolve().parents[1]), **(env or {})}
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, args, str(memory_mb)], capture_output=True,
                              text=True, timeout=timeout, env=child_env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"load_paths({args}) did not finish within {timeout} s")
    if done.returncode != 0:
        pytest.fail(f"load_paths({args}) crashed (exit {done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    for path, message in result["problems"]:
        assert "\n" not in message, f"problem for {path} is not one line: {message!r}"
    return result


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def problem_for(result: dict, name: str) -> str:
    [message] = [m for p, m in result["problems"] if Path(p).name == name]
    return message


# ---------------------------------------------------------------- links, pipes, devices

def test_links_out_of_the_corpus_are_not_followed(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "sub" / "good.txt", GOOD)
    secret = write(tmp_path / "private" / "secret.txt", "机密：银行卡密码是123456。")
    (corpus / "leak.txt").symlink_to(secret)
    (corpus / "up.txt").symlink_to(Path("..") / "private" / "secret.txt")
    (corpus / "alias.txt").symlink_to(corpus / "sub" / "good.txt")  # stays inside: accepted
    (corpus / "zero.txt").symlink_to("/dev/zero")
    result = ingest([corpus], root=corpus)
    assert [d[0] for d in result["docs"]] == ["sub/good.txt"]
    assert not any("机密" in d[2] for d in result["docs"])
    for name in ("leak.txt", "up.txt", "zero.txt"):
        assert "outside" in problem_for(result, name)


def test_pipes_and_devices_are_skipped_without_blocking(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "good.txt", GOOD)
    os.mkfifo(corpus / "x.txt")
    os.mkfifo(corpus / "y.jsonl")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # named on its own: such a link may leave the corpus
    result = ingest([corpus, tmp_path / "zero.txt", corpus / "x.txt"], root=corpus, timeout=20)
    assert [d[0] for d in result["docs"]] == ["good.txt"]
    for name in ("x.txt", "y.jsonl", "zero.txt"):
        assert "not a regular file" in problem_for(result, name)  # x.txt named twice, reported once


def test_link_loops_and_dangling_links_are_reported(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "good.txt", GOOD)
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "gone.txt").symlink_to(corpus / "missing.txt")
    result = ingest([corpus], root=corpus)
    assert [d[0] for d in result["docs"]] == ["good.txt"]
    assert "link" in problem_for(result, "loop.txt")
    assert "no such file" in problem_for(result, "gone.txt").lower()


# ---------------------------------------------------------------- sizes and bombs

@pytest.mark.parametrize("suffix", [".txt", ".html", ".pdf"])
def test_oversize_file_is_skipped_with_the_limit_named(tmp_path, suffix):
    big = write(tmp_path / f"big{suffix}", "巨大的文件。\n")
    with open(big, "r+b") as fh:
        fh.truncate(50 * MB)  # sparse: costs no disk
    write(tmp_path / "good.txt", GOOD)
    result = ingest([tmp_path], root=tmp_path, timeout=20)
    assert [d[0] for d in result["docs"]] == ["good.txt"]
    message = problem_for(result, f"big{suffix}")
    assert "50 MB" in message and "20 MB" in message and "RAG_MAX_FILE_MB" in message


def test_size_limit_comes_from_the_environment(tmp_path):
    write(tmp_path / "a.txt", GOOD + "\n" + "市民满意度明显提升。" * 40000)  # 1.2 MB
    result = ingest([tmp_path], root=tmp_path, env={"RAG_MAX_FILE_MB": "1"})
    assert result["docs"] == [] and "1 MB" in problem_for(result, "a.txt")



def test_pipeline_passes_its_settings_limits(fake_settings, tmp_path):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    corpus = fake_settings.corpus_dir
    write(corpus / "good.txt", GOOD)
    write(corpus / "big.txt", GOOD + "\n" + "市民满意度明显提升。" * 40000)  # 1.2 MB
    report = Pipeline(fake_settings.with_(max_file_mb=1), HashingEmbedder()).build()
    assert report.documents == 1
    [problem] = report.problems
    assert problem.path.endswith("big.txt") and "over the 1 MB limit" in problem.message


def test_a_limit_below_one_megabyte_is_a_clear_error():
    from rag.config import Settings
    from rag.errors import RagError
    from rag.ingest import Limits

    with pytest.raises(RagError, match="RAG_MAX_JSONL_MB"):
        Limits.from_settings(Settings.from_env({"RAG_MAX_JSONL_MB": "0"}))

def _docx_bomb(path: Path, unpacked_mb: int) -> None:
    """A valid .docx whose document.xml unzips to `unpacked_mb` MB of ordinary paragraphs."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    '<Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        paragraph = ("<w:p><w:r><w:t>" + "口袋公园" * 80 + "</w:t></w:r></w:p>").encode("utf-8")
        block = paragraph * (MB // len(paragraph))
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><w:document {ns}><w:body>'.encode())
            for _ in range(unpacked_mb):
                fh.write(block)
            fh.write(b"</w:body></w:document>")


def test_docx_zip_bomb_is_refused_before_unzipping(tmp_path):
    _docx_bomb(tmp_path / "bomb.docx", 120)
    assert (tmp_path / "bomb.docx").stat().st_size < 2 * MB
    _docx_bomb(tmp_path / "ok.docx", 1)  # an ordinary document still reads
    write(tmp_path / "good.txt", GOOD)
    result = ingest([tmp_path], root=tmp_path, timeout=20, memory_mb=700)
    assert [d[0] for d in result["docs"]] == ["good.txt", "ok.docx"]
    assert result["docs"][1][2].startswith("口袋公园")
    message = problem_for(result, "bomb.docx")
    assert "unzips to 120 MB" in message and "RAG_MAX_FILE_MB" in message
    assert result["seconds"] < 10


def test_gzip_bomb_line_and_total_cap(tmp_path):
    records = [json.dumps({"id": f"n{i}", "text": f"第{i}篇 口袋公园。"}, ensure_ascii=False) for i in range(3)]
    with gzip.open(tmp_path / "bomb.jsonl.gz", "wb", compresslevel=1) as fh:
        fh.write(("\n".join(records) + "\n").encode("utf-8"))
        chunk = b" " * MB
        for _ in range(30):  # one 30 MB line: longer than a record may be
            fh.write(chunk)
        fh.write(b"\n" + json.dumps({"id": "last", "text": "最后一篇。"}, ensure_ascii=False).encode() + b"\n")
    result = ingest([tmp_path], root=tmp_path, memory_mb=600)
    assert [d[0] for d in result["docs"]] == ["n0", "n1", "n2", "last"]
    message = problem_for(result, "bomb.jsonl.gz")
    assert message.startswith("line 4:") and "20 MB" in message

    with gzip.open(tmp_path / "bomb.jsonl.gz", "wb", compresslevel=1) as fh:
        for i in range(100000):  # 6 MB unpacked, over a 2 MB cap
            fh.write(json.dumps({"id": f"r{i}", "text": "口袋公园。" * 3}, ensure_ascii=False).encode() + b"\n")
    result = ingest([tmp_path], root=tmp_path, env={"RAG_MAX_JSONL_MB": "2"})
    kept = len(result["docs"])
    assert 20000 < kept < 100000 and [d[0] for d in result["docs"][:2]] == ["r0", "r1"]
    message = problem_for(result, "bomb.jsonl.gz")
    assert f"line {kept + 1}" in message and "2 MB" in message and "RAG_MAX_JSONL_MB" in message


# ---------------------------------------------------------------- HTML cost

@pytest.mark.parametrize("shape", ["deep", "wide"])
def test_html_cost_is_linear(tmp_path, shape):
    n = 200_000
    if shape == "deep":
        html = "<html><body><h1>标题</h1>" + "<div>" * n + "<p>深处的正文。</p>" + "</div>" * n + "</body></html>"
    else:
        html = "<html><body><h1>标题</h1>" + "<p>一段。</p>" * n + "<p>最后的正文。</p></body></html>"
    write(tmp_path / "page.html", html)
    result = ingest([tmp_path], root=tmp_path, timeout=40)
    assert result["problems"] == []
    [[doc_id, _, text]] = result["docs"]
    assert text.startswith("标题\n") and text.endswith("的正文。")
    assert result["seconds"] < 15, f"{shape} HTML took {result['seconds']:.1f} s"



@pytest.mark.parametrize("shape", ["unclosed", "long-paragraph"])
def test_markdown_cost_is_linear(tmp_path, shape):
    if shape == "unclosed":  # long lines of openers that never close
        body = "\n\n".join(["正文" + " *a" * 100_000, "[链接" * 100_000, "<" * 300_000, "![图](" * 50_000,
                             "`" + "代码" * 100_000])
    else:  # one paragraph of 250 000 lines (15 MB): joined pairwise it took over a minute
        body = "\n".join(["口袋公园建设进展顺利市民满意度提升明显"] * 250_000)
    write(tmp_path / "a.md", "# 标题\n\n" + body + "\n\n最后的正文。\n")
    result = ingest([tmp_path], root=tmp_path, timeout=40)
    assert result["problems"] == []
    [[_, _, text]] = result["docs"]
    assert text.startswith("标题\n") and text.endswith("\n最后的正文。")
    assert result["seconds"] < 15, f"{shape} Markdown took {result['seconds']:.1f} s"

# ---------------------------------------------------------------- JSONL lines

def test_jsonl_bad_lines_cost_only_themselves(tmp_path):
    def record(i):
        return json.dumps({"id": f"a{i}", "text": f"第{i}篇 口袋公园。", "title": f"标题{i}",
                           "date": "2024-05-01", "source": f"news/{i}.html"}, ensure_ascii=False).encode()

    lines = [record(1), b'{"id": "nul", "text": "\x00 bad"}', record(3), b'{"id": "u", "text": "\xff\xfe bad"}',
             b'{"id": "broken", "text": ', record(6), b"[" * 100_000, b'{"id": "s", "text": "\\ud800 lone"}']
    write(tmp_path / "a.jsonl", b"\n".join(lines) + b"\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wb") as fh:
        fh.write(b"\n".join(lines).replace(b'"a', b'"b') + b"\n")
    result = ingest([tmp_path], root=tmp_path)
    assert [d[0] for d in result["docs"]] == ["a1", "a3", "a6", "b1", "b3", "b6"]
    assert result["docs"][0][1:] == ["news/1.html", "标题1\n第1篇口袋公园。"]
    for name in ("a.jsonl", "b.jsonl.gz"):
        messages = [m for p, m in result["problems"] if Path(p).name == name]
        assert [m.split(":")[0] for m in messages] == ["line 2", "line 4", "line 5", "line 7", "line 8"]
        assert "NUL" in messages[0] and "UTF-8" in messages[1] and "not valid JSON" in messages[2]
        assert "nested too deeply" in messages[3] and "surrogate" in messages[4]
