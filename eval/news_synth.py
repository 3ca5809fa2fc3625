"""Reading-comprehension examples made from the news archive, for the span reader (issue #21).

    python eval/news_synth.py --count 20 --show         # print a sample of questions and answers

Each example is a sentence of a real news article (`../shared/data/news_zh.jsonl.gz`, CRUD-RAG,
Apache-2.0; cleaned as `rag index` cleans) whose figure, date or person is the answer, and a
question written from the words around it, as a reader of local news asks: the clause before the
answer (with the sentence's opening words when the clause starts later), the answer replaced by a
question word (多少, 哪一年, 什么时候, 谁) and a few words after it. So the reader learns news sentences,
which hold many figures of one kind, and picks the one the question's words label. An answer that
occurs twice in its window is skipped (ambiguous). Articles are split by id into train and
validation (every tenth article), so a validation question never comes from an article trained on.

The records have DRCD's shape after `train_reader.convert`: (article key, context, question,
answer, answer start), so `train_reader.windows` cuts them into reading windows the same way.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NEWS = ROOT.parent / "shared" / "data" / "news_zh.jsonl.gz"

_CLAUSE = "，,；;：:。！？!?"
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MONEY = re.compile(r"(万亿|亿|万|千)?(元|美元|港元|欧元)$")
_DATELINE = re.compile(r"消息|记者|通讯员|报道|原标题|来源|电讯|图/|文/")
_LEAD_DROP = re.compile(r"^(?:据悉|据了解|据介绍|此外|同时|其中|目前|另外|而|并|且|但)[，,]?")


def _clause_bounds(sentence: str, a: int, b: int) -> tuple[int, int]:
    lo = max((sentence.rfind(c, 0, a) for c in _CLAUSE), default=-1) + 1
    his = [i for i in (sentence.find(c, b) for c in _CLAUSE) if i >= 0]
    return lo, min(his) if his else len(sentence)


def _wh(kind: str, answer: str, rng: random.Random) -> str:
    if kind == "person":
        return "谁"
    if kind == "year":
        return rng.choice(("哪一年", "哪年", "什么时候"))
    if kind == "date":
        return rng.choice(("什么时候", "哪天", "几月几日"))
    m = _MONEY.search(answer)
    if m and rng.random() < 0.5:
        return rng.choice(("多少钱", f"多少{m.group(0)}"))
    unit = re.sub(r"^[约近超逾过]*[\d.,\s]+", "", answer)
    if unit and unit != answer and len(unit) <= 3 and rng.random() < 0.4:
        return "多少" + unit
    return rng.choice(("多少", "多少", "是多少"))


def _tail(text: str, limit: int) -> str:
    """The last words of text, at most `limit` characters, starting at a word."""
    from rag.jieba_load import install

    if len(text) <= limit:
        return text
    words, out = install().lcut(text), ""
    for w in reversed(words):
        if len(out) + len(w) > limit:
            break
        out = w + out
    return out


def _question(sentence: str, a: int, b: int, kind: str, rng: random.Random) -> str | None:
    lo, hi = _clause_bounds(sentence, a, b)
    left, right = _tail(sentence[lo:a].strip(), rng.randint(10, 20)), sentence[b:hi].strip()
    if len(_HAN.findall(left)) < 3:
        return None
    if kind == "person":
        q = f"{left}是谁" if not right or rng.random() < 0.5 else f"{left}谁{right[: rng.randint(2, 8)]}"
    else:
        q = left + _wh(kind, sentence[a:b], rng) + (right[: rng.randint(0, 8)] if right else "")
    if lo > 0 and rng.random() < 0.6:  # who or what the sentence is about
        head = _LEAD_DROP.sub("", sentence[: min(i for i in (sentence.find(c) for c in _CLAUSE) if i >= 0)])
        if head and len(head) <= 12 and sentence[a:b] not in head and not _DATELINE.search(head):
            q = head + q
    q = _LEAD_DROP.sub("", q.strip())
    if kind not in ("year", "date") and rng.random() < 0.3:
        q = re.sub(r"^\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?[，,]?", "", q)  # the year is often left unsaid
    if len(_HAN.findall(q)) < 6 or sentence[a:b].strip() in q:
        return None
    return q + "？"


def _answers(sentence: str):
    """(kind, start, end) of the figures (with a unit), dates and persons (a name after a title) of a
    sentence; not a dateline's date (8月16日消息), a figure inside a date or a product name
    (i9-13900HX, RTX 4060), nor one restated in brackets."""
    from rag.answer.span import DATE_RE, NUMBER_RE, PERSON_AFTER_TITLE_RE, looks_like_name

    dates = [m.span() for m in DATE_RE.finditer(sentence)]
    for a, b in dates:
        if re.match(r"\s*(?:消息|电|讯|报道|讯息)", sentence[b:]):
            continue
        yield ("year" if re.fullmatch(r"\d{4}\s*年", sentence[a:b]) else "date"), a, b
    for m in NUMBER_RE.finditer(sentence):
        a, b, g = m.start(), m.end(), m.group()
        if (not re.search(r"\d", g) or re.search(r"[\d.]$", g) or re.search(r"[年月日号]$", g)
                or any(x < b and a < y for x, y in dates)
                or re.search(r"[A-Za-z\-]\s*$", sentence[:a]) or re.match(r"[A-Za-z]", sentence[b:])
                or re.search(r"[（(]\s*$", sentence[:a])):
            continue
        yield "number", a, b
    for m in PERSON_AFTER_TITLE_RE.finditer(sentence):
        a = m.start(1)
        if looks_like_name(m.group(1)) and not re.search(r"记者|通讯员|编辑|评论员|作者|责编", sentence[max(0, a - 6) : a]):
            yield "person", m.start(1), m.end(1)


def records(path: Path = NEWS, count: int = 3000, split: str = "train", seed: int = 0, max_chars: int = 1200):
    """[(key, context, question, answer, start)]: `count` examples from articles of `split`
    (validation: ids whose number is a multiple of 10), at most two an article, kinds balanced
    (numbers at most half)."""
    from rag.ingest.clean import clean_text
    from rag.text import sentence_spans

    rng = random.Random(seed)
    out, kinds = [], {"number": 0, "year": 0, "date": 0, "person": 0}
    cap = {"number": count // 2, "year": count // 6, "date": count // 6, "person": count // 3}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            num = int(re.sub(r"\D", "", rec["id"]) or 0)
            if (num % 10 == 0) != (split == "val") or rng.random() < 0.5:
                continue
            ctx = clean_text(rec.get("text") or "")[:max_chars]
            sents = sentence_spans(ctx)
            picks = []
            for s0, s1 in sents:
                sentence = ctx[s0:s1]
                if not 12 <= len(sentence) <= 150:
                    continue
                for kind, a, b in _answers(sentence):
                    if kinds[kind] < cap[kind]:
                        picks.append((kind, s0, sentence, a, b))
            rng.shuffle(picks)
            taken = 0
            for kind, s0, sentence, a, b in picks:
                answer = sentence[a:b].strip()
                if not answer or ctx.count(answer) != 1 or kinds[kind] >= cap[kind]:
                    continue
                q = _question(sentence, a, b, kind, rng)
                if q is None:
                    continue
                start = s0 + a + (len(sentence[a:b]) - len(sentence[a:b].lstrip()))
                out.append((f"news:{rec['id']}", ctx, q, answer, start))
                kinds[kind] += 1
                taken += 1
                if taken == 2:
                    break
            if sum(kinds.values()) >= count:
                break
    return out


def hard_negatives(recs, share: float = 0.6, seed: int = 0):
    """(question, window, -1, -1) reading examples: for `share` of the records, a sentence of the
    same article holding a figure, date or person of the asked kind but not the answer (a
    neighbouring value the question's words do not label), so the reader learns to say "none here"
    rather than take the figure beside the one asked."""
    from rag.text import sentence_spans

    rng = random.Random(seed)
    out = []
    for _, ctx, q, ans, start in recs:
        if rng.random() >= share:
            continue
        kind = _kind_of(ans)
        label = re.search(r"([^\s，,]{3})(?:是)?(?:多少|哪一?年|什么时候|哪天|几月几日|谁)", q)
        sents = [(a, b) for a, b in sentence_spans(ctx) if not a <= start < b]
        same = [(a, b) for a, b in sents
                if ans not in ctx[a:b] and not (label and label.group(1) in ctx[a:b]) and any(k == kind for k, _, _ in _answers(ctx[a:b]))]
        if same:
            a, b = rng.choice(same)
            out.append((q, ctx[a:b], -1, -1))
    return out


def _kind_of(answer: str) -> str:
    from rag.answer.span import DATE_RE

    if DATE_RE.fullmatch(answer):
        return "year" if re.fullmatch(r"\d{4}\s*年", answer) else "date"
    return "number" if re.search(r"\d", answer) else "person"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--split", choices=("train", "val"), default="train")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    recs = records(count=args.count, split=args.split)
    for key, ctx, q, ans, s in recs:
        assert ctx[s : s + len(ans)] == ans
        sentence_start = max(ctx.rfind("。", 0, s) + 1, 0)
        print(f"{q}\t{ans}\t{ctx[sentence_start: s + len(ans) + 20]!r}" if args.show else json.dumps(
            {"id": key, "question": q, "answer": ans}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
