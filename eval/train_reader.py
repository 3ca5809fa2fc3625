"""Train the span reader's adapter (rag/models/reader.py) on DRCD, converted to Simplified Chinese.

    python eval/train_reader.py                       # train, validate, write rag/data/reader-adapter.safetensors
    python eval/train_reader.py --resume              # continue from the last checkpoint in --work
    python eval/train_reader.py --validate-only       # figures of the shipped adapter on the held-out split

Data: ../shared/data/drcd_dev.json and drcd_test.json (DRCD v1.3, Delta Electronics, CC BY-SA 3.0).
Every context, question and answer is converted with OpenCC (t2s); an answer whose offset no longer
points at it is looked up again near its old place, or dropped (counted). Articles of drcd_test
whose position is a multiple of 4 are held back for validation (never trained on); CMRC is never
used here.

The reader reads short windows (the sentence holding the answer and 0-2 neighbours), as the
answerer hands it sentences; a share of windows without the answer teaches it to say "none here".
Checkpoints (every --save-every steps) hold the adapter, the optimiser and the position in the
data, so an interrupted run continues where it stopped. Runs on CPU; one epoch takes about half an
hour on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def convert(data_files: list[Path]):
    """DRCD -> [(article key, context, question, answer, answer_start)] in Simplified Chinese."""
    from rag.text import to_simplified

    out, dropped, moved = [], 0, 0
    for f in data_files:
        for a_i, art in enumerate(json.loads(f.read_text(encoding="utf-8"))["data"]):
            for para in art["paragraphs"]:
                ctx = to_simplified(para["context"])
                for qa in para["qas"]:
                    ans = qa["answers"][0]
                    text = to_simplified(ans["text"]).strip()
                    s = ans["answer_start"] + (len(ans["text"]) - len(ans["text"].lstrip()))
                    if not text:
                        dropped += 1
                        continue
                    if ctx[s : s + len(text)] != text:
                        near = [i for i in _find_all(ctx, text)]
                        if not near:
                            dropped += 1
                            continue
                        s = min(near, key=lambda i: abs(i - s))
                        moved += 1
                    out.append((f"{f.stem}:{a_i}", ctx, to_simplified(qa["question"]), text, s))
    return out, dropped, moved


def _find_all(text, sub):
    i = text.find(sub)
    while i >= 0:
        yield i
        i = text.find(sub, i + 1)


def split(records):
    """Held out: articles of drcd_test whose index is a multiple of 4."""
    train, val = [], []
    for r in records:
        name, idx = r[0].split(":")
        (val if name == "drcd_test" and int(idx) % 4 == 0 else train).append(r)
    return train, val


def windows(records, rng: random.Random, negatives: float):
    """(question, window text, answer start in window or -1, answer end) examples."""
    from rag.text import sentence_spans

    out = []
    for _, ctx, q, ans, s in records:
        e = s + len(ans)
        sents = sentence_spans(ctx)
        if not sents:
            continue
        first = next((i for i, (a, b) in enumerate(sents) if a <= s < b), None)
        last = next((i for i, (a, b) in enumerate(sents) if a < e <= b), None)
        if first is None or last is None:
            continue
        lo = max(0, first - rng.choice((0, 0, 1, 1, 2)))
        hi = min(len(sents) - 1, last + rng.choice((0, 0, 1)))
        ws = sents[lo][0]
        out.append((q, ctx[ws : sents[hi][1]], s - ws, e - ws))
        if rng.random() < negatives:
            others = [i for i in range(len(sents)) if i < first - 1 or i > last + 1]
            if others:
                i = rng.choice(others)
                j = min(len(sents) - 1, i + rng.choice((0, 1)))
                text = ctx[sents[i][0] : sents[j][1]]
                if ans not in text:
                    out.append((q, text, -1, -1))
    return out


def featurize(tokenizer, examples, max_len: int):
    """Token ids and start/end token labels (0 = <s>: no answer). Windows whose answer was cut
    off by truncation are dropped."""
    from rag.models.reader_torch import encode_pairs

    feats = []
    for lo in range(0, len(examples), 256):
        chunk = examples[lo : lo + 256]
        for (q, text, s, e) in chunk:
            ids, mask, offsets, context = encode_pairs(tokenizer, q, [text], max_len)
            n = int(mask[0].sum())
            if s < 0:
                feats.append((ids[0, :n].tolist(), 0, 0))
                continue
            toks = [j for j in range(n) if context[0][j]]
            st = next((j for j in toks if offsets[0, j, 1] > s), None)
            en = next((j for j in reversed(toks) if offsets[0, j, 0] < e), None)
            if st is None or en is None or en < st or offsets[0, toks[-1], 1] < e:
                continue
            feats.append((ids[0, :n].tolist(), st, en))
    return feats


def batches(feats, batch_size: int, rng: random.Random):
    order = list(range(len(feats)))
    rng.shuffle(order)
    # sort within pools of 50 batches so a batch pads little
    pool = batch_size * 50
    out = []
    for lo in range(0, len(order), pool):
        part = sorted(order[lo : lo + pool], key=lambda i: len(feats[i][0]))
        out += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(out)
    return out


def collate(feats, idx, pad_id: int):
    import torch

    width = max(len(feats[i][0]) for i in idx)
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for r, i in enumerate(idx):
        toks = feats[i][0]
        ids[r, : len(toks)] = torch.tensor(toks)
        mask[r, : len(toks)] = 1
    starts = torch.tensor([feats[i][1] for i in idx])
    ends = torch.tensor([feats[i][2] for i in idx])
    return ids, mask, starts, ends


def f1_zh(pred: str, gold: str) -> float:
    """CMRC 2018 convention: character-level F1 over the longest common substring."""
    import re

    p = re.sub(r"[\s\u3000，。！？、；：“”‘’（）《》,.!?;:\"'()]", "", pred)
    g = re.sub(r"[\s\u3000，。！？、；：“”‘’（）《》,.!?;:\"'()]", "", gold)
    if not p or not g:
        return float(p == g)
    # longest common substring
    best, prev = 0, [0] * (len(g) + 1)
    for a in p:
        cur = [0] * (len(g) + 1)
        for j, b in enumerate(g, 1):
            if a == b:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    if best == 0:
        return 0.0
    prec, rec = best / len(p), best / len(g)
    return 2 * prec * rec / (prec + rec)


def validate(model, tokenizer, examples, max_len: int, batch_size: int = 32) -> dict:
    """EM / F1 on answer windows, null accuracy on windows without one, and the precision of
    shown spans at several probability thresholds."""
    import torch

    from rag.models.reader_common import best_spans
    from rag.models.reader_torch import encode_pairs

    model.eval()
    rows = []
    with torch.inference_mode():
        for lo in range(0, len(examples), batch_size):
            chunk = examples[lo : lo + batch_size]
            by_q: dict[str, list] = {}
            for ex in chunk:
                by_q.setdefault(ex[0], []).append(ex)
            for q, exs in by_q.items():
                ids, mask, offsets, context = encode_pairs(tokenizer, q, [e[1] for e in exs], max_len)
                s, e = model(torch.from_numpy(ids), torch.from_numpy(mask))
                for ex, b in zip(exs, best_spans(s.numpy(), e.numpy(), offsets, context)):
                    rows.append((ex, b))
    model.train()
    pos = [(ex, b) for ex, b in rows if ex[2] >= 0]
    neg = [(ex, b) for ex, b in rows if ex[2] < 0]
    scored = []
    for ex, b in pos:
        gold = ex[1][ex[2] : ex[3]]
        pred = ex[1][b[0] : b[1]] if b else ""
        scored.append((b[2] if b else 0.0, float(pred == gold), f1_zh(pred, gold)))
    em = sum(s[1] for s in scored) / max(len(scored), 1)
    f1 = sum(s[2] for s in scored) / max(len(scored), 1)
    curve = {}
    for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        shown = [s for s in scored if s[0] >= t]
        curve[t] = (len(shown) / max(len(scored), 1), sum(s[2] >= 0.8 for s in shown) / max(len(shown), 1))
    null_ok = sum(1 for ex, b in neg if b is None or b[3] > b[2]) / max(len(neg), 1)
    neg_max = sorted(b[2] for ex, b in neg if b)
    return {"answer_windows": len(pos), "em": round(100 * em, 1), "f1": round(100 * f1, 1),
            "null_windows": len(neg), "null_preferred": round(100 * null_ok, 1),
            "null_p90_span_score": round(neg_max[int(0.9 * (len(neg_max) - 1))], 3) if neg_max else None,
            "coverage_precision": {str(t): [round(100 * c, 1), round(100 * p, 1)] for t, (c, p) in curve.items()}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--work", type=Path, default=ROOT / "reports" / "reader-train")
    ap.add_argument("--out", type=Path, default=ROOT / "rag" / "data" / "reader-adapter.safetensors")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=8e-4)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--max-len", type=int, default=192)
    ap.add_argument("--negatives", type=float, default=0.35)
    ap.add_argument("--limit", type=int, default=0, help="train on this many DRCD questions only")
    ap.add_argument("--news", type=int, default=0,
                    help="add this many questions made from the news archive (eval/news_synth.py)")
    ap.add_argument("--hard-negatives", type=float, default=0.0,
                    help="with --news: this share of its questions also gets a window holding a neighbouring value")
    ap.add_argument("--init", type=Path, default=None,
                    help="start from this adapter instead of the bare encoder (a fine-tuning round)")
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--validate-only", action="store_true")
    ap.add_argument("--export-checkpoint", action="store_true",
                    help="write --out from the last checkpoint in --work without training (e.g. a run stopped early)")
    args = ap.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from transformers import AutoTokenizer

    from rag.config import Settings
    from rag.models.offline_model import ensure_default_model
    from rag.models.reader_torch import build_model, load_adapter, save_adapter

    torch.set_num_threads(args.threads)
    model_dir = ensure_default_model(Settings.from_env().cache_dir)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))

    files = [args.data / "drcd_dev.json", args.data / "drcd_test.json"]
    records, dropped, moved = convert(files)
    train_recs, val_recs = split(records)
    print(f"DRCD: {len(records)} questions after OpenCC t2s ({moved} answers re-located, {dropped} dropped); "
          f"train {len(train_recs)}, validation {len(val_recs)} (held-out drcd_test articles)", flush=True)
    val_examples = windows(val_recs, random.Random(1), negatives=0.5)
    news_train, news_val = [], []
    if args.news:
        from news_synth import records as news_records

        news_train = news_records(count=args.news, split="train")
        news_val = windows(news_records(count=max(200, args.news // 6), split="val", seed=1), random.Random(2),
                           negatives=0.5)
        print(f"news archive: {len(news_train)} training questions, {len(news_val)} validation windows "
              f"(held-out articles)", flush=True)

    model = build_model(model_dir, rank=args.rank, train=True)
    if args.validate_only:
        load_adapter(model, args.out)
        print(json.dumps(validate(model, tokenizer, val_examples, args.max_len), ensure_ascii=False, indent=1))
        if news_val:
            print("news:", json.dumps(validate(model, tokenizer, news_val, args.max_len), ensure_ascii=False, indent=1))
        return 0
    if args.init:
        load_adapter(model, args.init)

    if args.export_checkpoint:
        state = torch.load(args.work / "checkpoint.pt", weights_only=False)
        own = dict(model.named_parameters())
        with torch.no_grad():
            for k, v in state["params"].items():
                own[k].copy_(v)
        save_adapter(model, args.out, {"base": "multilingual-e5-small (rag.models.offline_model)",
                                       "data": "DRCD v1.3 dev+test (CC BY-SA 3.0), OpenCC t2s", "step": state["step"],
                                       "args": {k: str(v) for k, v in state["args"].items()}})
        print(f"wrote {args.out} from step {state['step']}")
        return 0
    if args.limit:
        train_recs = random.Random(0).sample(train_recs, min(args.limit, len(train_recs)))
    examples = windows(train_recs + news_train, random.Random(0), args.negatives)
    if news_train and args.hard_negatives:
        from news_synth import hard_negatives

        examples += hard_negatives(news_train, share=args.hard_negatives)
    feats = featurize(tokenizer, examples, args.max_len)
    n_batches = math.ceil(len(feats) / args.batch_size)
    total_steps = int(n_batches * args.epochs)
    print(f"{len(feats)} training windows, {n_batches} batches an epoch, {total_steps} steps", flush=True)

    params = [p for p in model.parameters() if p.requires_grad]
    head = list(model.head.parameters())
    others = [p for p in params if all(p is not h for h in head)]
    opt = torch.optim.AdamW([{"params": others, "lr": args.lr}, {"params": head, "lr": args.lr * 2}],
                            weight_decay=0.01)
    warm = max(1, total_steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda st: min(1.0, (st + 1) / warm) * max(0.05, 1 - st / max(total_steps, 1)))

    args.work.mkdir(parents=True, exist_ok=True)
    ckpt = args.work / "checkpoint.pt"
    step = 0
    if args.resume and ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        own = dict(model.named_parameters())
        with torch.no_grad():
            for k, v in state["params"].items():
                own[k].copy_(v)
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        print(f"resumed at step {step}/{total_steps}", flush=True)

    def save_checkpoint():
        tmp = ckpt.with_suffix(".tmp")
        torch.save({"params": {k: v.detach() for k, v in model.named_parameters() if v.requires_grad},
                    "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step, "args": vars(args)}, tmp)
        tmp.replace(ckpt)

    pad = tokenizer.pad_token_id
    model.train()
    t0, done_at_start = time.time(), step
    loss_avg = None
    epoch_batches: list = []
    while step < total_steps:
        epoch = step // n_batches
        if not epoch_batches or step % n_batches == 0 or len(epoch_batches) != n_batches:
            epoch_batches = batches(feats, args.batch_size, random.Random(100 + epoch))
        idx = epoch_batches[step % n_batches]
        ids, mask, st, en = collate(feats, idx, pad)
        s_log, e_log = model(ids, mask)
        s_log = s_log.masked_fill(mask == 0, -1e4)
        e_log = e_log.masked_fill(mask == 0, -1e4)
        loss = (torch.nn.functional.cross_entropy(s_log, st) + torch.nn.functional.cross_entropy(e_log, en)) / 2
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        step += 1
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if step % 10 == 0 or step == total_steps:
            rate = (step - done_at_start) / (time.time() - t0)
            left = (total_steps - step) / rate if rate else 0
            print(f"step {step}/{total_steps} epoch {step / n_batches:.2f} loss {loss_avg:.3f} "
                  f"{rate * args.batch_size:.1f} windows/s, {left / 60:.0f} min left", flush=True)
        if step % args.save_every == 0:
            save_checkpoint()
        if step % n_batches == 0 and step < total_steps:
            print("validation:", json.dumps(validate(model, tokenizer, val_examples, args.max_len)), flush=True)
    save_checkpoint()

    figures = validate(model, tokenizer, val_examples, args.max_len)
    print("validation:", json.dumps(figures, ensure_ascii=False, indent=1), flush=True)
    if news_val:
        figures = {"drcd": figures, "news": validate(model, tokenizer, news_val, args.max_len)}
        print("news validation:", json.dumps(figures["news"], ensure_ascii=False, indent=1), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_adapter(model, args.out, {
        "base": "multilingual-e5-small (rag.models.offline_model)", "data": "DRCD v1.3 dev+test (CC BY-SA 3.0), OpenCC t2s, "
        "held out: drcd_test articles with index % 4 == 0"
        + (f"; {len(news_train)} questions made from news_zh.jsonl.gz (CRUD-RAG, Apache-2.0) by eval/news_synth.py"
           if news_train else "") + (f"; fine-tuned from {args.init.name}" if args.init else ""),
        "train_questions": len(train_recs) + len(news_train),
        "windows": len(feats), "epochs": args.epochs, "lr": args.lr, "max_len": args.max_len,
        "validation": figures})
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
