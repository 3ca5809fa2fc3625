"""The real-news QA sets (eval/news_dev, eval/news_qa) store only article ids; build_docs.py writes the
articles from the archive and checks that every gold string is in its gold article. A set whose ids
or questions drift from the archive fails here, not in a reported figure."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO.parent / "shared" / "data" / "news_zh.jsonl.gz"
BUILD = REPO / "eval" / "news_qa" / "build_docs.py"


@pytest.mark.skipif(not ARCHIVE.is_file(), reason="the news archive (../shared/data) is not here")
@pytest.mark.parametrize("folder", ["news_dev", "news_qa"])
def test_a_news_set_builds_and_every_gold_string_is_in_its_article(tmp_path, folder):
    here = REPO / "eval" / folder
    run = subprocess.run([sys.executable, str(BUILD), "--articles", str(here / "articles.txt"),
                          "--questions", str(here / "questions.jsonl"), "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    ids = [line.strip() for line in (here / "articles.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(p.stem for p in tmp_path.glob("*.txt")) == sorted(ids)
    questions = [json.loads(line) for line in (here / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(questions) == 90 and all(q["unanswerable"] or q["gold_doc"] in {f"{i}.txt" for i in ids}
                                        for q in questions)


def test_the_tuned_and_the_held_out_sets_share_no_article():
    dev = set((REPO / "eval" / "news_dev" / "articles.txt").read_text(encoding="utf-8").split())
    held = set((REPO / "eval" / "news_qa" / "articles.txt").read_text(encoding="utf-8").split())
    assert dev and held and not dev & held
