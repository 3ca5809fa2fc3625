"""Short answers judged strictly and leniently: right, incomplete or wrong.

Strict (the CMRC convention, `checks.short_answer_scores`): a shown short answer is right when its
F1 against the best gold reaches 0.8. Lenient, for a reader whose spans carry their unit or label:

- **right**: strictly right, or the short answer contains a gold answer with at most a unit or
  label around it (`三项主营业务` for `三项`, `光荣公司` for `光荣`): at most `LABEL_CHARS`
  characters beside the gold, none of them punctuation; for a question whose expected parts are
  all required (`must_include`), the short answer holds every part;
  or the gold is said as a sentence that holds the short answer and, besides it, only the
  question's own words (runs of 2+ characters shared with the question), punctuation and at most
  `LABEL_CHARS` other characters (`尤金袋鼠分布在澳洲南部岛屿及西岸地区` for `澳洲南部岛屿及西岸地区`
  asked "尤金袋鼠分布在哪些地区": the CMRC trial's golds are often such sentences); both read
  again without asides in brackets (a translation, alias or note: `西北银行中心（Norwest Center）`);
- **incomplete**: a strict part of a several-item gold (`光荣` for `光荣和ω-force`): the gold
  has a clause (between ，。；：) that splits into two or more items (at 、 及 和 与 以及 或 或是),
  the short answer lies inside that clause and touches fewer items than it has; for `must_include`, it holds some parts, not all;
- **wrong**: anything else shown.

Run on a finished evaluation (no model needed):

    python -m rag.evaluate.lenient QA.jsonl predictions.jsonl [--json]
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Iterable, Sequence

from rag.evaluate.checks import short_answer_scores
from rag.evaluate.metrics import normalize_answer_text

LABEL_CHARS = 6  # characters a unit or label beside the gold may take (三项 + 主营业务)
STRICT_F1 = 0.8
_ITEM_SEP = re.compile(r"以及|或是|或者|[、及和与或/]")
_CLAUSE = re.compile(r"[，,；;。:：！？!?]")
_PUNCT = re.compile(r"[^\w%‰.]")
_SEVERAL_MARK = re.compile(r"[、，,;；/+＋]|”“|和|及|与|或")  # a short answer naming more than one item
VERDICTS = ("right", "incomplete", "wrong")
# an aside in brackets: a translation, an alias or a note ("西北银行中心(Norwest Center)"), not part of the fact
_ASIDE = re.compile(r"\([^()]*\)")


def list_items(gold: str) -> list[str]:
    """The items of a gold answer that lists several (`光荣和ω-force` -> [光荣, ω-force]); one
    item for a plain answer. Only the first clause (up to ，。；：) that lists is read."""
    for clause in _CLAUSE.split(normalize_answer_text(gold)):
        parts = [p for p in _ITEM_SEP.split(clause) if p]
        if len(parts) >= 2:
            return parts
    return [normalize_answer_text(gold)]


def _list_clauses(gold: str) -> list[tuple[str, list[str]]]:
    out = []
    for clause in _CLAUSE.split(gold):
        parts = [p for p in _ITEM_SEP.split(clause) if p]
        if len(parts) >= 2:
            out.append((clause, parts))
    return out


def _touches(short: str, item: str) -> bool:
    """The short answer holds the item, or a run of it at least 2 characters long (an item with
    its lead-in: `玩家以水枪` is touched by `水枪`)."""
    need = min(len(item), 2)
    return any(item[i : i + need] in short for i in range(len(item) - need + 1))


def _with_label(short: str, gold: str) -> bool:
    i = short.find(gold)
    if i < 0 or not gold:
        return False
    rest = short[:i] + short[i + len(gold) :]
    return len(rest) <= LABEL_CHARS and not _PUNCT.search(rest)


def _in_frame(short: str, gold: str, question: str) -> bool:
    """The gold is the short answer framed by the question's words and at most a label."""
    i = gold.find(short)
    if i < 0 or not question:
        return False
    rest = _PUNCT.sub("", gold[:i] + "\x00" + gold[i + len(short) :])
    n = len(rest)
    while n >= 2:  # drop the longest runs shared with the question first
        found = next((rest[k : k + n] for k in range(len(rest) - n + 1)
                      if "\x00" not in rest[k : k + n] and rest[k : k + n] in question), None)
        if found is None:
            n -= 1
            continue
        rest = rest.replace(found, "\x00", 1)
    return len(rest.replace("\x00", "")) <= LABEL_CHARS


def judge(short: str | None, answers: Sequence[str], must_include: Sequence[str] = (),
          question: str = "") -> str | None:
    """"right", "incomplete" or "wrong" for a shown short answer; None when none is shown or
    there is nothing to judge it against."""
    s = normalize_answer_text(short or "")
    if not s or not (answers or must_include):
        return None
    if must_include:
        parts = [normalize_answer_text(m) for m in must_include]
        held = sum(p in s for p in parts)
        if held == len(parts) and (not answers or any(normalize_answer_text(a) in s for a in answers)):
            return "right"
        if not answers:
            return "incomplete" if held or sum(_touches(s, p) for p in parts) else "wrong"
    if short_answer_scores(short, list(answers))[1] >= STRICT_F1:
        return "right"
    golds = [normalize_answer_text(a) for a in answers]
    if any(_with_label(s, g) for g in golds):
        return "right"
    for g in golds:  # a strict part of a clause of the gold that lists several items
        for clause, items in _list_clauses(g):
            if s in clause and sum(_touches(s, it) for it in items) < len(items):
                return "incomplete"
    q = normalize_answer_text(question)
    if any(_in_frame(s, g, q) for g in golds):
        return "right"
    bare, bare_golds = _ASIDE.sub("", s), [_ASIDE.sub("", g) for g in golds]  # without asides in brackets
    if bare and bare_golds != golds and any(_with_label(bare, g) or _in_frame(bare, g, q) for g in bare_golds if g):
        return "right"
    return "wrong"


@dataclass(frozen=True)
class Judged:
    id: str
    question: str
    short: str
    verdict: str
    expected: str
    strict: bool  # F1 >= 0.8 against the best of `answers` (False without answers)


def judge_all(pairs: Iterable[tuple[object, dict]]) -> list[Judged]:
    """Every shown short answer of an answerable question with expected strings, judged. `pairs`:
    (QAItem-like with id, question, answers, must_include, unanswerable; the prediction dict)."""
    out = []
    for item, pred in pairs:
        if item.unanswerable or not pred.get("answerable") or not (item.answers or item.must_include):
            continue
        short = pred.get("short_answer")
        v = judge(short, item.answers, item.must_include, item.question)
        if v is not None:
            expected = " | ".join(item.answers) or " + ".join(item.must_include)
            strict = bool(item.answers) and short_answer_scores(short, list(item.answers))[1] >= STRICT_F1
            out.append(Judged(item.id, item.question, short, v, expected, strict))
    return out


def tally(pairs: Sequence[tuple[object, dict]]) -> dict:
    """Counts and shares: lenient_right / _incomplete / _wrong, lenient_precision (right / shown),
    lenient_coverage (shown / answerable with expected strings), strict_precision (F1 >= 0.8 / shown)
    and short answers shown on unanswerable questions."""
    judged = judge_all(pairs)
    base = [i for i, _ in pairs if not i.unanswerable and (i.answers or i.must_include)]
    counts = {v: sum(j.verdict == v for j in judged) for v in VERDICTS}
    shown = len(judged)
    strict = [j for j in judged if j.strict]
    return {"lenient_questions": len(base), "lenient_shown": shown,
            **{f"lenient_{v}": n for v, n in counts.items()},
            "lenient_precision": counts["right"] / shown if shown else None,
            "lenient_coverage": shown / len(base) if base else None,
            "strict_precision_all": len(strict) / shown if shown else None,
            "short_on_unanswerable": sum(bool(p.get("answerable") and p.get("short_answer"))
                                         for i, p in pairs if i.unanswerable)}


def summary_lines(pairs: Sequence[tuple[object, dict]], show: int = 40) -> list[str]:
    """The three counts and the wrong (then incomplete) short answers, as text."""
    t = tally(pairs)
    judged = judge_all(pairs)
    pct = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"  # noqa: E731
    lines = [f"short answers judged: {t['lenient_shown']} shown of {t['lenient_questions']} answerable "
             f"(coverage {pct(t['lenient_coverage'])})",
             f"  right {t['lenient_right']}  incomplete {t['lenient_incomplete']}  wrong {t['lenient_wrong']}"
             f"  (lenient precision {pct(t['lenient_precision'])}, strict F1>=0.8 {pct(t['strict_precision_all'])})",
             f"  short answers shown on unanswerable questions: {t['short_on_unanswerable']}"]
    for verdict in ("wrong", "incomplete"):
        bad = [j for j in judged if j.verdict == verdict]
        if bad:
            lines.append(f"{verdict} short answers ({len(bad)}):")
            lines += [f"  {j.id}  {j.question}  » {j.short}  (expected {j.expected})" for j in bad[:show]]
            if len(bad) > show:
                lines.append(f"  … {len(bad) - show} more")
    return lines


def several_tally(pairs: Sequence[tuple[object, dict]]) -> dict:
    """Questions asking for several things (rag.answer.enumeration.asks_several), answerable and
    with expected strings: how many got a short answer, how many of those name one item only,
    and how many are judged right (the whole list) or incomplete."""
    from rag.answer.enumeration import asks_several

    mine = [(i, p) for i, p in pairs if not i.unanswerable and (i.answers or i.must_include)
            and asks_several(i.question)]
    judged = {j.id: j for j in judge_all(mine)}
    single = sum(not _SEVERAL_MARK.search(j.short) for j in judged.values())
    return {"several_questions": len(mine), "several_shown": len(judged), "several_single_item": single,
            "several_right": sum(j.verdict == "right" for j in judged.values()),
            "several_incomplete": sum(j.verdict == "incomplete" for j in judged.values())}


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import json

    from rag.evaluate.qa import load_qa

    ap = argparse.ArgumentParser(prog="python -m rag.evaluate.lenient", description=__doc__.split("\n\n")[0])
    ap.add_argument("qa")
    ap.add_argument("predictions")
    ap.add_argument("--json", action="store_true", help="print the counts and every judged answer as JSON")
    args = ap.parse_args(argv)
    items = {i.id: i for i in load_qa(args.qa)}
    with open(args.predictions, encoding="utf-8") as f:
        preds = [json.loads(line) for line in f if line.strip()]
    pairs = [(items[p["id"]], p) for p in preds if p.get("id") in items]
    if args.json:
        judged = [j.__dict__ for j in judge_all(pairs)]
        print(json.dumps({"summary": tally(pairs), "judged": judged}, ensure_ascii=False, indent=1))
    else:
        print("\n".join(summary_lines(pairs)))
        t = several_tally(pairs)
        print(f"questions asking for several things: {t['several_questions']}, short answer shown "
              f"{t['several_shown']}: whole list (right) {t['several_right']}, incomplete "
              f"{t['several_incomplete']}, naming a single item {t['several_single_item']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
