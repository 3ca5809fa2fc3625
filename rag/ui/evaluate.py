"""The "Evaluate" tab: upload a QA file, run it against the current index, see the figures.

Shows the summary table (and the side-by-side table when variants are compared), the charts and
every failure, and offers predictions.jsonl and the whole report (zip: report.md, self-contained
report.html, charts, summary.json) for download. Each run writes into its own temporary folder.
The work is done by rag.evaluate; this module only lays out components and translates errors.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from rag.auth import Auth
from rag.config import Settings
from rag.errors import BadInput, IndexMissing
from rag.evaluate.report import failure_rows, summary_rows, zip_report
from rag.evaluate.runner import load_qa
from rag.pipeline import Pipeline
from rag.logs import failure
from rag.ui.guard import ADMIN, caller_role
from rag.documents import short_paths
from rag.ui.render import text_block

MODES = ["hybrid", "dense", "bm25"]
STAGES = {"retrieve": "检索 retrieving", "eval": "回答 answering", "chunk": "切分 chunking",
          "embed": "编码 embedding", "tokenize": "建立词索引 tokenizing"}
FAILURE_HEADERS = ["#", "ID", "原因 Reason", "问题 Question", "应答 Expected", "实际回答 Given",
                   "检索到的段落 Top passages"]


MAX_VARIANTS = 6  # variants one run of the page may compare
MAX_REBUILDS = 2  # of which re-chunk or re-store the documents (each re-embeds the whole index)


def page_variants(spec: str, settings: Settings, role: str) -> str | None:
    """The compare field as the page allows it, or BadInput in one line.

    Anyone may compare retrieval modes and k. What writes, starts a process or connects out
    (chunk=, store=, answer=generative) needs the admin role, and even then a store is `local`,
    a temporary `milvus`, or the server's own configured `milvus:URI`, never a path or host typed
    here; at most MAX_VARIANTS variants, MAX_REBUILDS of them rebuilding."""
    spec = (spec or "").strip()
    if not spec:
        return None
    from rag.evaluate.compare import parse_variants

    variants = parse_variants(spec)
    if len(variants) > MAX_VARIANTS:
        raise BadInput(f"Compare at most {MAX_VARIANTS} variants at a time (got {len(variants)}).")
    heavy = [v for v in variants if v.chunk_size or v.store or v.answer == "generative"]
    if heavy and role != ADMIN:
        raise BadInput("chunk=, store= and answer=generative need the admin role; "
                       "compare retrieval modes and k=N instead (e.g. bm25,dense,hybrid:k=3).")
    if len(heavy) > MAX_REBUILDS:
        raise BadInput(f"At most {MAX_REBUILDS} chunk= or store= variants at a time (got {len(heavy)}).")
    own = settings.store
    for v in variants:
        if v.store and v.store not in ("local", "milvus", own):
            raise BadInput("store= takes local, milvus or the server's own store (RAG_STORE); "
                           "paths and hosts cannot be given here.")
    return spec


def _status(message: str, kind: str = "ok") -> str:
    return f'<div class="rag-status rag-status-{kind}">{text_block(message)}</div>'


def _stage_label(stage: str) -> str:
    """'[2/3] dense eval' -> '[2/3] dense 回答 answering'."""
    head, _, last = stage.rpartition(" ")
    label = STAGES.get(last, last)
    return f"{head} {label}".strip()


class EvaluateHandlers:
    def __init__(self, pipeline: Pipeline, settings: Settings, workdir: str | Path | None = None):
        self.pipeline = pipeline
        self.settings = settings
        self.workdir = Path(workdir) if workdir else None  # None: a fresh folder under the system temp dir
        self.auth = Auth.from_settings(settings)

    def _out_dir(self) -> Path:
        if self.workdir:
            self.workdir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="rag-eval-", dir=self.workdir))

    @staticmethod
    def _progress(progress):
        def report(stage: str, done: int, total: int) -> None:
            if total:
                progress((done, total), desc=_stage_label(stage), unit="题")

        return report

    def _empty(self, status_html: str) -> tuple:
        hidden = gr.update(value=None, visible=False)
        return status_html, [], gr.update(value=[], visible=False), [], [], hidden, hidden

    def run(self, qa_file, limit, mode, compare, progress=gr.Progress(), request: gr.Request = None) -> tuple:
        """(status, summary rows, compare table, chart paths, failure rows, predictions button, report button)."""
        if not qa_file:
            return self._empty(_status("请先上传 QA 文件（JSONL，每行一个问题）。Upload a QA file first.", "warn"))
        path = qa_file if isinstance(qa_file, str) else getattr(qa_file, "name", str(qa_file))
        try:
            if not self.pipeline.has_index():
                raise IndexMissing("知识库还没有索引：先在“知识库”里上传文章。The index is empty; add articles first.")
            compare = page_variants(compare, self.settings, caller_role(self.auth, request))
            if mode and mode not in MODES:
                raise BadInput(f"Unknown retrieval mode {mode!r}; one of {', '.join(MODES)}.")
            items = load_qa(path)
            n = int(limit or 0)
            if n > 0:
                items = items[:n]
            from rag.evaluate.session import evaluate

            out = self._out_dir()
            result = evaluate(self.pipeline, items, report_dir=out, compare=compare,
                              mode=mode or None, progress=self._progress(progress),
                              title=f"Evaluation of {Path(path).name}", qa_label=Path(path).name)
        except Exception as err:  # a RagError is one log line; anything else a bug with its traceback
            reason = short_paths(failure("evaluate", err), [Path(path)])
            gr.Warning(f"评估失败 Evaluation failed: {reason}")
            return self._empty(_status(f"评估失败，原因：{reason}", "error"))
        rep = result.report
        archive = zip_report(rep, out / "report.zip")
        s = result.summary
        acc = s.get("answer_accuracy")
        done = (f"完成 Done: {s['questions']} 个问题" + (f"，答案正确率 {100 * acc:.1f}%" if acc is not None else "")
                + "。报告和逐题预测可在下方下载。Download the report and the predictions below.")
        table = gr.update(visible=False, value=[])
        if result.compare:
            from rag.evaluate.compare import table_rows

            headings, rows = table_rows(result.compare)
            table = gr.update(visible=True, value={"headers": headings, "data": rows})
        return (_status(done), summary_rows(s), table, [str(p) for p in rep.charts],
                failure_rows(result.records)[1],
                gr.update(value=str(rep.predictions), visible=True),
                gr.update(value=str(archive), visible=True))


def evaluate_tab(pipeline: Pipeline, settings: Settings):
    """Lay out the Evaluate tab inside the current gr.Tab and wire its events. Returns None."""
    h = EvaluateHandlers(pipeline, settings)
    gr.Markdown("上传问答集（JSONL：`id`、`question`、`answers`、`must_include`、`unanswerable`、`gold_doc`、"
                "`category`），用当前索引逐题回答并打分。Upload a QA set (JSONL) and score the current index on it.")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            qa = gr.File(label="问答集 QA file (.jsonl)", file_types=[".jsonl"], type="filepath",
                         elem_id="eval-file")
        with gr.Column(scale=3):
            with gr.Row():
                limit = gr.Number(label="只评前 N 题 First N (0 = all)", value=0, precision=0, minimum=0,
                                  elem_id="eval-limit")
                mode = gr.Dropdown(label="检索方式 Retrieval", choices=MODES, value=settings.mode,
                                   elem_id="eval-mode")
            compare = gr.Textbox(label="对比配置 Compare variants (optional)",
                                 placeholder="bm25,dense,hybrid,hybrid:k=3,chunk=400", elem_id="eval-compare")
            run = gr.Button("开始评估 Run evaluation", variant="primary", elem_id="eval-run")
    status = gr.HTML(elem_id="eval-status")
    with gr.Row():
        predictions = gr.DownloadButton("下载预测 predictions.jsonl", visible=False, elem_id="eval-predictions")
        report = gr.DownloadButton("下载报告 report.zip", visible=False, elem_id="eval-report")
    summary = gr.Dataframe(headers=["指标 Metric", "值 Value"], interactive=False, wrap=True,
                           label="汇总 Summary", elem_id="eval-summary")
    side_by_side = gr.Dataframe(interactive=False, wrap=True, visible=False, label="配置对比 Variants side by side",
                                elem_id="eval-compare-table")
    charts = gr.Gallery(label="图表 Charts", columns=2, height="auto", object_fit="contain", elem_id="eval-charts")
    failures = gr.Dataframe(headers=FAILURE_HEADERS, interactive=False, wrap=True, max_height=600,
                            label="全部错误 Every failure", elem_id="eval-failures")
    run.click(h.run, inputs=[qa, limit, mode, compare],
              outputs=[status, summary, side_by_side, charts, failures, predictions, report],
              concurrency_limit=1, concurrency_id="evaluate", api_visibility="private",
              show_progress_on=[status])
    return None


build_evaluate_tab = evaluate_tab  # the name rag/ui/__init__.py suggests
