"""Materialise the news QA articles from the CRUD-RAG news archive.

The repository stores only article ids (articles.txt); this script streams the gzipped
archive and writes each chosen article as <out>/<id>.txt:

    日期: 2023-07-25        (only when the record has a date)
    <blank line>
    <article text>

It then checks that every answer / must_include string of questions.jsonl occurs in its
gold article's text. Exit status: 0 ok, 1 an id is missing from the archive, 2 a question
string is not found in its article (or the question file names an unknown article).

    python eval/news_qa/build_docs.py --out /tmp/news-qa-docs [--data PATH]

--articles and --questions point it at another set built the same way (defaults: the
articles.txt and questions.jsonl beside this script), e.g. the development set:

    python eval/news_qa/build_docs.py --articles eval/news_dev/articles.txt \
        --questions eval/news_dev/questions.jsonl --out /tmp/news-dev-docs
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "news_zh.jsonl.gz"
DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def read_ids(path: Path) -> list[str]:
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            ids.append(line)
    return ids


def norm_date(value) -> str | None:
    if not value:
        return None
    m = DATE_RE.search(str(value))
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def load_articles(data: Path, wanted: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    with gzip.open(data, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("id") in wanted:
                found[rec["id"]] = rec
                if len(found) == len(wanted):
                    break
    return found


def check_questions(path: Path, texts: dict[str, str]) -> int:
    """Print every answer / must_include string absent from its gold article; return count."""
    problems = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        q = json.loads(line)
        gold = q.get("gold_doc")
        if q.get("unanswerable") or not gold:
            continue
        doc_id = gold[:-4] if gold.endswith(".txt") else gold
        text = texts.get(doc_id)
        if text is None:
            print(f"{q['id']}: gold_doc {gold} is not in articles.txt")
            problems += 1
            continue
        for field in ("answers", "must_include"):
            for s in q.get(field) or []:
                if s not in text:
                    print(f"{q['id']}: {field} {s!r} not found in {gold} ({q['question']})")
                    problems += 1
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path, help="folder to write <id>.txt into")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"archive (default {DEFAULT_DATA})")
    ap.add_argument("--articles", type=Path, default=HERE / "articles.txt",
                    help=f"article ids, one a line (default {HERE / 'articles.txt'})")
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl",
                    help=f"questions to check against the articles (default {HERE / 'questions.jsonl'})")
    args = ap.parse_args(argv)

    ids = read_ids(args.articles)
    if not args.data.exists():
        print(f"archive not found: {args.data} (use --data)", file=sys.stderr)
        return 1
    found = load_articles(args.data, set(ids))

    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    for doc_id in ids:
        rec = found.get(doc_id)
        if rec is None:
            continue
        text = rec.get("text") or ""
        date = norm_date(rec.get("date"))
        body = f"日期: {date}\n\n{text}\n" if date else f"{text}\n"
        (args.out / f"{doc_id}.txt").write_text(body, encoding="utf-8")
        written += 1
    print(f"wrote {written} of {len(ids)} articles to {args.out}")

    missing = [i for i in ids if i not in found]
    if missing:
        print(f"missing from {args.data}: {', '.join(missing)}", file=sys.stderr)
        return 1

    if args.questions.exists():
        problems = check_questions(args.questions, {i: found[i].get("text") or "" for i in ids})
        if problems:
            print(f"{problems} question string(s) not found in their gold article", file=sys.stderr)
            return 2
        print(f"checked {args.questions.name}: every answer / must_include string is in its gold article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
