"""The "Knowledge base" tab: list, read, upload, delete and rebuild the indexed articles.

Uploads are copied into the corpus folder under a safe, unused name and indexed with
`pipeline.add_files`, all under the index's write lock: an uploaded file stays in the corpus
exactly when at least one of its documents was indexed (a JSONL file with a few bad lines stays),
and if indexing fails the copies are removed and the index is untouched. An upload never replaces
or removes another file's documents: documents belong to the file they were read from. Deleting a
document removes it from the index and, when the file it was read from lies inside the corpus
folder, holds no other indexed document and is writable, that file too (otherwise a rebuild would
bring it back); never any other file. Both are done by rag.documents, which the HTTP API shares.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.auth import Auth
from rag.config import Settings
from rag.dates.versions import Replacement, replaced
from rag.errors import IndexMissing, UnknownDocument
from rag.pipeline import Pipeline
from rag.types import BuildReport, DocInfo
from rag.logs import failure
from rag.ui.guard import needs_admin
from rag.ui.render import document_choice, document_rows, render_document, text_block
from rag.documents import ALLOWED_SUFFIXES, add_uploads, delete_document, discard_upload

HEADERS = ["标题", "日期", "段落数", "字数", "文件"]
WIDTHS = ["42%", "14%", "10%", "10%", "24%"]
STAGES = {"read": "读取文件", "load": "读取文件", "chunk": "切分段落", "embed": "编码段落",
          "tokenize": "建立词索引", "commit": "提交索引", "save": "保存索引", "wait": "等待其他进程完成索引"}


def _status(message: str, kind: str = "ok") -> str:
    return f'<div class="rag-status rag-status-{kind}">{text_block(message)}</div>'


def _report_text(report: BuildReport, action: str) -> str:
    text = (
        f"{action}。知识库现有 {report.documents} 篇文章、{report.chunks} 个段落；"
        f"本次编码 {report.embedded} 个段落，复用 {report.reused} 个，用时 {report.seconds:.1f} 秒。"
    )
    if report.problems:
        skipped = "；".join(f"{Path(p.path).name}: {p.message}" for p in report.problems[:5])
        text += f" 有 {len(report.problems)} 处未能读取（已跳过）：{skipped}"
    return text


class KnowledgeHandlers:
    def __init__(self, pipeline: Pipeline, settings: Settings):
        self.pipeline = pipeline
        self.corpus_dir = Path(settings.corpus_dir)
        self.auth = Auth.from_settings(settings)
        self._versions: tuple[tuple, dict[str, Replacement]] = ((), {})  # (what it was computed over, result)

    def _refused(self, request) -> tuple | None:
        """The listing with a refusal when the page's user may not change the knowledge base."""
        if self.auth.page_may_write(request):
            return None
        return self.listing(_status("只有管理员（admin 角色）可以上传、删除或重建；你的账号只能提问和浏览。", "error"))

    def _docs(self) -> list[DocInfo]:
        try:
            return self.pipeline.documents()
        except IndexMissing:
            return []

    def replacements(self, docs: list[DocInfo]) -> dict[str, Replacement]:
        """Which listed documents a later one replaced (rag.dates.versions.replaced), computed once
        per state of the index: kept while the listed ids, titles, dates and sizes stay the same."""
        key = tuple((d.id, d.title, d.date, d.chars) for d in docs)
        if key != self._versions[0]:
            found: dict[str, Replacement] = {}
            try:
                found = replaced(self._texts(d.id for d in docs if d.date))  # undated ones are never ordered
            except Exception as err:  # the mark is a help: a failure here never hides the listing
                failure("versions", err)
            self._versions = (key, found)
        return self._versions[1]

    def _texts(self, ids):
        for doc_id in ids:
            try:
                yield self.pipeline.document(doc_id)
            except UnknownDocument:  # deleted meanwhile
                continue

    def listing(self, status_html: str | None = None) -> tuple:
        """(status, table rows, picker) after any change."""
        try:
            docs = self._docs()
        except Exception as err:
            return _status(failure("list", err), "error"), [], gr.update(choices=[], value=None)
        if status_html is None:
            status_html = _status(f"知识库现有 {len(docs)} 篇文章。{self._embedded_text()}" if docs else
                                  "知识库还是空的：上传文章即可开始提问。")
        return status_html, document_rows(docs, self.replacements(docs)), gr.update(choices=[document_choice(d) for d in docs], value=None)

    def _embedded_text(self) -> str:
        """How much of the knowledge base has vectors, when not all of it does."""
        try:
            st = self.pipeline.status()
        except Exception:
            return ""
        if st["embedded"] >= st["passages"]:
            return ""
        pct = 100 * st["embedded"] / st["passages"] if st["passages"] else 100.0
        return (f"{st['passages']} 个段落中已编码 {st['embedded']} 个（{pct:.1f}%）；其余暂按关键词检索，"
                "运行 `rag embed` 可在后台继续编码（可随时中断、续做）。")

    @staticmethod
    def _progress(progress: gr.Progress):
        def report(stage: str, done: int, total: int) -> None:
            label = STAGES.get(stage, stage)
            if total:
                progress((done, total), desc=label, unit="项")
            else:
                progress(0, desc=label)

        return report

    @needs_admin
    def upload(self, files: list | None, progress: gr.Progress = gr.Progress(),
               request: gr.Request = None) -> tuple:
        """Copy the uploaded files into the corpus folder and index them; keep a copy exactly when
        some of its documents were indexed; undo the copies on failure. Gradio's temp copies of the
        uploads are deleted afterwards in every case (else they stay downloadable from its cache)."""
        try:
            return self._upload(files, progress, request)
        finally:
            for f in files or []:
                if isinstance(f, (str, Path)) or isinstance(getattr(f, "name", None), str):
                    discard_upload(Path(f if isinstance(f, (str, Path)) else f.name))

    def _upload(self, files, progress, request) -> tuple:
        if (refused := self._refused(request)) is not None:
            return refused
        if not files:
            return self.listing(_status("请选择要上传的文件。", "warn"))
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in files]
        try:
            added = add_uploads(self.pipeline, [(p, p.name) for p in paths], self.corpus_dir,
                                progress=self._progress(progress))
        except Exception as err:  # a RagError is one log line (paths already cut); anything else a bug
            reason = failure("upload", err)
            gr.Warning(f"上传失败：{reason}")
            return self.listing(_status(f"上传失败，知识库未改变。原因：{reason}", "error"))
        names = "、".join(p.name for _, p in added.stored)
        kind = "warn" if added.report.problems or added.skipped else "ok"
        return self.listing(_status(_report_text(added.report, f"已添加 {names}"), kind))

    @needs_admin
    def delete(self, doc_id: str | None, request: gr.Request = None) -> tuple:
        if (refused := self._refused(request)) is not None:
            return refused + ("",)
        if not doc_id:
            return self.listing(_status("请先在上面选择要删除的文章。", "warn")) + ("",)
        try:
            deleted = delete_document(self.pipeline, doc_id, self.corpus_dir)
        except IndexMissing:
            deleted = None
        except Exception as err:
            return self.listing(_status(f"删除失败，知识库未改变。原因：{failure('delete', err)}", "error")) + ("",)
        if deleted is None:
            return self.listing(_status("这篇文章已不在知识库中。", "warn")) + ("",)
        info, path = deleted.info, deleted.file
        title = info.title or info.source or doc_id
        note = ""
        if deleted.file_kept == "unrecorded":
            note = "；这个索引没有记录文章来自哪个文件（较旧的索引），文件未删除，重建索引时这篇文章会回来"
        elif deleted.file_kept == "shared":
            note = f"；文件 {path.name} 里还有其他文章，所以保留了它（重建索引时这篇文章会回来）"
        elif deleted.file_kept == "read-only":
            note = f"；文件 {path.name} 是只读的，所以保留了它（重建索引时这篇文章会回来）"
        elif path is not None:
            note = f"，文件 {path.name} 已从语料目录删除"
        return self.listing(_status(_report_text(deleted.report, f"已删除《{title}》{note}"))) + ("",)

    @needs_admin
    def rebuild(self, progress: gr.Progress = gr.Progress(), request: gr.Request = None) -> tuple:
        if (refused := self._refused(request)) is not None:
            return refused
        try:
            report = self.pipeline.build(progress=self._progress(progress))
        except Exception as err:
            return self.listing(_status(f"重建失败，原索引保持不变。原因：{failure('rebuild', err)}", "error"))
        return self.listing(_status(_report_text(report, f"已从 {self.corpus_dir} 重建索引")))

    def show(self, doc_id: str | None) -> str:
        if not doc_id:
            return ""
        try:
            doc = self.pipeline.document(doc_id)
            return render_document(doc, replacement=self._versions[1].get(doc_id))
        except Exception as err:
            return _status(failure("show", err), "error")


def build_knowledge_tab(pipeline: Pipeline, settings: Settings) -> tuple[KnowledgeHandlers, list]:
    """Lay out the knowledge-base view inside the current gr.Tab and wire its events.

    Returns the handlers and the [status, table, picker] components that `listing` fills.
    """
    h = KnowledgeHandlers(pipeline, settings)
    status = gr.HTML(elem_id="kb-status", js_on_load=None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            table = gr.Dataframe(
                headers=HEADERS,
                datatype=["str", "str", "number", "number", "str"],
                column_widths=WIDTHS,
                interactive=False,
                wrap=True,
                max_height=420,
                elem_id="kb-table",
                label="已收录的文章 Indexed articles",
            )
            with gr.Row():
                picker = gr.Dropdown(label="选择文章 Article", choices=[], scale=4, elem_id="kb-picker")
                delete = gr.Button("删除 Delete", variant="stop", scale=1, elem_id="kb-delete")
            viewer = gr.HTML(elem_id="kb-viewer", js_on_load=None)
        with gr.Column(scale=2):
            upload = gr.File(
                label="上传文章 Upload (" + " ".join(ALLOWED_SUFFIXES) + ")",
                file_count="multiple",
                file_types=list(ALLOWED_SUFFIXES),
                elem_id="kb-upload",
            )
            with gr.Row():
                refresh = gr.Button("刷新列表 Refresh", size="sm", elem_id="kb-refresh")
                rebuild = gr.Button("重建索引 Rebuild", size="sm", elem_id="kb-rebuild")

    listing = [status, table, picker]
    writes = dict(concurrency_limit=1, concurrency_id="index-write", api_visibility="private",
                  show_progress_on=[status])
    upload.upload(h.upload, inputs=[upload], outputs=listing, **writes).then(
        lambda: None, outputs=[upload], api_visibility="private", queue=False
    )
    delete.click(
        h.delete,
        inputs=[picker],
        outputs=listing + [viewer],
        js="(id) => (id && confirm('从知识库删除这篇文章？ Delete this article?')) ? id : null",
        **writes,
    )
    rebuild.click(h.rebuild, outputs=listing, **writes)
    refresh.click(h.listing, outputs=listing, api_visibility="private")
    picker.change(h.show, inputs=[picker], outputs=[viewer], api_visibility="private")
    return h, listing
