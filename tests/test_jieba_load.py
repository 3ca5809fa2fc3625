"""jieba with its dictionary loaded a first character at a time (rag/jieba_load.py) cuts and tags
exactly as jieba with its whole dictionary. Each side runs in its own process (jieba is global);
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
TEXTS = [
    "青禾县芦溪镇2031年接待游客约37万人次，旅游收入达2.6亿元。",
    "据县融媒体中心消息，鹤鸣山隧道工程由闵思远牵头，预计于明年三月竣工通车。",
    "The Qinghe County fair drew 12,000 visitors; 芦溪镇镇长柯文澜致辞。",
    "臺灣的「雲林縣」與大陸的交流日益頻繁",
    "",
]
PROGRAM = r"""
import json, sys
lazy, upgrade_after = sys.argv[1] == "lazy", int(sys.argv[2])
if lazy:
    import rag.jieba_load as jl
    jl.UPGRADE_AFTER = upgrade_after
    jieba = jl.install()
    assert type(jieba.dt.FREQ).__name__ == "LazyDict"
else:
    import jieba
    jieba.setLogLevel(60)
import jieba.posseg as pseg
texts = json.loads(sys.stdin.read())
out = []
for t in texts:
    out.append([list(jieba.cut(t)), list(jieba.cut(t, HMM=False)), list(jieba.cut(t, cut_all=True)),
                list(jieba.cut_for_search(t)), [(w, f) for w, f in pseg.cut(t)],
                [(w, f) for w, f in pseg.cut(t, HMM=False)]])
jieba.add_word("芦溪新城", 50, "ns")  # a write before its first character is loaded must survive
out.append([[(w, f) for w, f in pseg.cut("芦溪新城的夜景")], jieba.get_FREQ("芦溪新城"), jieba.get_FREQ("游客")])
out.append(type(jieba.dt.FREQ).__name__)
print(json.dumps(out, ensure_ascii=False))
"""


def run(kind: str, tmp_path: Path, upgrade_after: int = 2500):
    env = {**os.environ, "PYTHONPATH": str(REPO), "RAG_JIEBA_CACHE": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", PROGRAM, kind, str(upgrade_after)], input=json.dumps(TEXTS),
                       env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(p.stdout)


def test_lazy_dictionary_cuts_and_tags_as_the_whole_one(tmp_path):
    whole = run("plain", tmp_path)
    lazy = run("lazy", tmp_path)  # writes the index file
    again = run("lazy", tmp_path)  # reads it
    assert whole[-1] == "dict" and lazy[-1] == "LazyDict"
    assert lazy[:-1] == whole[:-1] and again == lazy
    assert any(tag == "ns" for _, tag in lazy[-2][0])  # the tags are there at all
    assert list(tmp_path.glob("rag-jieba-*.idx"))


def test_after_many_first_characters_the_tables_become_plain_dicts(tmp_path):
    whole = run("plain", tmp_path)
    upgraded = run("lazy", tmp_path, upgrade_after=20)
    assert upgraded[-1] == "dict"
    assert upgraded[:-1] == whole[:-1]
