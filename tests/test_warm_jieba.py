"""rag.jieba_load.load_everything: the whole dictionary loaded up front (as a warm-up would) cuts and
tags exactly as jieba with its own dictionary. Each side runs in its own process (jieba is global);
the texts are invented."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jieba")

REPO = Path(__file__).resolve().parents[1]
TEXTS = ["青禾县芦溪镇2031年接待游客约37万人次，旅游收入达2.6亿元。", "鹤鸣山隧道工程由闵思远牵头，预计明年竣工。",
         "臺灣的「雲林縣」與大陸的交流日益頻繁", ""]
PROGRAM = r"""
import json, sys
if sys.argv[1] == "upfront":
    import rag.jieba_load as jl
    jieba = jl.install()
    assert type(jieba.dt.FREQ).__name__ == "LazyDict"
    jl.load_everything()
    jl.load_everything()  # twice: nothing more to do
else:
    import jieba
    jieba.setLogLevel(60)
import jieba.posseg as pseg
out = [[list(jieba.cut_for_search(t)), [(w, f) for w, f in pseg.cut(t)]] for t in json.loads(sys.stdin.read())]
print(json.dumps([out, type(jieba.dt.FREQ).__name__, type(pseg.dt.word_tag_tab).__name__], ensure_ascii=False))
"""


def run(kind: str, tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "RAG_JIEBA_CACHE": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", PROGRAM, kind], input=json.dumps(TEXTS), env=env,
                       capture_output=True, text=True, timeout=300, check=True)
    return json.loads(p.stdout)


def test_everything_loaded_up_front_cuts_and_tags_the_same(tmp_path):
    whole, upfront = run("plain", tmp_path), run("upfront", tmp_path)
    assert upfront[1:] == ["dict", "dict"]  # plain tables, no per-lookup checks
    assert upfront[0] == whole[0]
    assert any(tag == "ns" for _, tags in upfront[0] for _, tag in tags)  # the tags are there at all
