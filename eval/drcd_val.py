"""Write the reader's held-out DRCD split as an open-domain benchmark in the CMRC layout.

    python eval/drcd_val.py [--out reports/drcd-val]
    python eval/run_cmrc.py --data reports/drcd-val --docs-file drcd_val_docs.jsonl \
        --qa-file drcd_val_qa.jsonl --index /tmp/drcd-val-index --report reports/drcd-val/report

The split is the one eval/train_reader.py holds back (drcd_test articles whose index is a multiple
of 4), converted to Simplified Chinese the same way. It is the validation set on which the reader's
threshold and weight in the answerer are chosen; CMRC trial stays untouched by tuning.
DRCD v1.3 (Delta Electronics, CC BY-SA 3.0).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_reader import DATA, ROOT, convert, split  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "drcd-val")
    args = ap.parse_args(argv)
    records, _, _ = convert([args.data / "drcd_dev.json", args.data / "drcd_test.json"])
    _, val = split(records)
    docs: dict[str, str] = {}
    qa = []
    for key, ctx, q, ans, _ in val:
        doc_id = docs.setdefault(ctx, f"DRCD_VAL_{len(docs)}")
        qa.append({"id": f"{doc_id}_Q{len(qa)}", "question": q, "answers": [ans], "gold_doc": doc_id})
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "drcd_val_docs.jsonl", "w", encoding="utf-8") as f:
        for ctx, doc_id in docs.items():
            f.write(json.dumps({"id": doc_id, "title": None, "text": ctx}, ensure_ascii=False) + "\n")
    with open(args.out / "drcd_val_qa.jsonl", "w", encoding="utf-8") as f:
        for r in qa:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(docs)} paragraphs, {len(qa)} questions -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
