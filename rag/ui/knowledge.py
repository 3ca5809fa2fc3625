"""The "Knowledge base" tab: list, read, upload, delete and rebuild the indexed articles.

Uploads are copied into the corpus folder under a safe, unused name and indexed with
`pipeline.add_files`, all under the index's write lock: an uploaded file stays in the corpus
exactly when at least one of its documents was indexed (a JSONL file with a few bad lines stays),
and if indexing fails the copies are removed and the index is untouched. An upload never replaces
or removes another file's documents: documents belong to the file they were read from. Deleting a
document removes it from the index and, when the file it was read from lies inside the corpus
folder, holds no other indexed document and is writable, that file too (otherwise a rebuild would
bring it back); never any other file. Both are done by rag.documents, which the HTTP API shares.

The tab manages one knowledge base at a time (rag.library), chosen at its top among those the
user may read; uploads, deletes and rebuilds need the admin role for that one. The table shows a
page of PAGE_SIZE documents, those whose title, id, source or file contain the search text.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.auth import Auth
from rag.config import Settings
from rag.dates.versions import Replacement, replaced
from rag.errors import IndexMissing, RagError, UnknownDocument
from rag.library import DEFAULT, Library
from rag.library.names import unknown
from rag.pipeline import Pipeline
from rag.types import BuildReport, DocInfo
from rag.logs import failure
from rag.ui.guard import needs_admin
from rag.ui.render import document_choice, document_rows, render_document, text_block
from rag.documents import ALLOWED_SUFFIXES, add_uploads, delete_document, discard_upload

HEADERS = ["标题", "日期", "段落数", "字数", "文件"]
WIDTHS = ["42%", "14%", "10%", "10%", "24%"]
PAGE_SIZE = 50
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
    def __init__(self, pipeline: Pipeline, settings: Settings, library: Library | None = None):
        self.pipeline = pipeline  # the knowledge base `default`
        self.library = library or Library(default=pipeline)
        self.corpus_dir = Path(settings.corpus_dir)
        self.auth = Auth.from_settings(settings)
        self._versions: tuple[tuple, dict[str, Replacement]] = ((), {})  # (what it was computed over, result)
        self.view_inputs: list = []  # the tab's [knowledge base, search, page] components, once laid out

    def kb_choices(self, request: gr.Request = None):
        """The knowledge bases the user may read, `default` (else the first) chosen."""
        who = self.auth.page_identity(getattr(request, "username", None))
        kbs = [kb for kb in self.library.infos() if who is not None and who.may_read(kb.name)]
        names = [kb.name for kb in kbs]
        return gr.update(choices=[(kb.title if kb.title == kb.name else f"{kb.title} ({kb.name})", kb.name)
                                  for kb in kbs], value=DEFAULT if DEFAULT in names else (names or [None])[0])

    def _pipeline(self, kb: str | None, request=None) -> Pipeline:
        """The chosen knowledge base's pipeline, when the user may read it (else: no such one)."""
        name = kb or DEFAULT
        who = self.auth.page_identity(getattr(request, "username", None))
        if who is None or not who.may_read(name):
            raise unknown(str(name))
        return self.pipeline if name == DEFAULT else self.library.pipeline(name)

    def _corpus(self, pipeline: Pipeline) -> Path:
        return self.corpus_dir if pipeline is self.pipeline else Path(pipeline.settings.corpus_dir)

    def _refused(self, request, kb: str | None = None) -> tuple | None:
        """The listing with a refusal when the page's user may not change the knowledge base (the
        same refusal, and nothing listed, for one the user may not read or that is not there)."""
        if self.auth.page_may_write(request, kb or DEFAULT):
            return None
        refusal = _status("只有这个知识库的管理员（admin 角色）可以上传、删除或重建；你的账号只能提问和浏览。", "error")
        who = self.auth.page_identity(getattr(request, "username", None))
        if who is None or not who.may_read(kb or DEFAULT):
            return refusal, [], gr.update(choices=[], value=None)
        return self.listing(refusal, kb, request=request)

    def _docs(self, pipeline: Pipeline | None = None) -> list[DocInfo]:
        try:
            return (pipeline or self.pipeline).documents()
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

    def listing(self, status_html: str | None = None, kb: str | None = None, query: str | None = "",
                page=1, request=None) -> tuple:
        """(status, table rows of the page, picker) after any change: page `page` of the documents
        that match `query`."""
        try:
            pipeline = self._pipeline(kb, request)
            docs = self._docs(pipeline)
            shown, page, pages, matching = _page(docs, query, page)
        except Exception as err:
            return _status(failure("list", err), "error"), [], gr.update(choices=[], value=None)
        if status_html is None:
            status_html = _status(f"知识库现有 {len(docs)} 篇文章。{self._embedded_text(pipeline)}" if docs else
                                  "知识库还是空的：上传文章即可开始提问。")
        if docs:
            found = f"找到 {matching} 篇 · " if (query or "").strip() else ""
            status_html += f'<div class="rag-pages" id="kb-pages">{found}第 {page}/{pages} 页 Page {page} of {pages}</div>'
        return (status_html, document_rows(shown, self.replacements(docs)),
                gr.update(choices=[document_choice(d) for d in shown], value=None))

    def view(self, kb: str | None = None, query: str | None = "", page=1, request: gr.Request = None) -> tuple:
        return self.listing(None, kb, query, page, request)

    def go(self, kb: str | None = None, query: str | None = "", page=1, step: int = 0,
           request: gr.Request = None) -> tuple:
        """(the page number, kept in range, and the listing) of page `page` + `step` (prev: -1, next: +1)."""
        try:
            pipeline = self._pipeline(kb, request)
            _, page, _, _ = _page(self._docs(pipeline), query, _number(page) + step)
        except Exception:  # the listing says what is wrong
            page = 1
        return (page, *self.listing(None, kb, query, page, request))

    def first(self, kb: str | None = None, query: str | None = "", request: gr.Request = None) -> tuple:
        return self.go(kb, query, 1, 0, request)

    def again(self, kb: str | None = None, query: str | None = "", page=1, request: gr.Request = None) -> tuple:
        return self.go(kb, query, page, 0, request)

    def prev(self, kb: str | None = None, query: str | None = "", page=1, request: gr.Request = None) -> tuple:
        return self.go(kb, query, page, -1, request)

    def next(self, kb: str | None = None, query: str | None = "", page=1, request: gr.Request = None) -> tuple:
        return self.go(kb, query, page, +1, request)

    def _embedded_text(self, pipeline: Pipeline | None = None) -> str:
        """How much of the knowledge base has vectors, when not all of it does."""
        try:
            st = (pipeline or self.pipeline).status()
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
    def upload(self, files: list | None, kb: str | None = None, progress: gr.Progress = gr.Progress(),
               request: gr.Request = None) -> tuple:
        """Copy the uploaded files into the corpus folder and index them; keep a copy exactly when
        some of its documents were indexed; undo the copies on failure. Gradio's temp copies of the
        uploads are deleted afterwards in every case (else they stay downloadable from its cache)."""
        try:
            return self._upload(files, kb, progress, request)
        finally:
            for f in files or []:
                if isinstance(f, (str, Path)) or isinstance(getattr(f, "name", None), str):
                    discard_upload(Path(f if isinstance(f, (str, Path)) else f.name))

    def _upload(self, files, kb, progress, request) -> tuple:
        if (refused := self._refused(request, kb)) is not None:
            return refused
        if not files:
            return self.listing(_status("请选择要上传的文件。", "warn"), kb, request=request)
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in files]
        try:
            pipeline = self._pipeline(kb, request)
            added = add_uploads(pipeline, [(p, p.name) for p in paths], self._corpus(pipeline),
                                progress=self._progress(progress))
        except Exception as err:  # a RagError is one log line (paths already cut); anything else a bug
            reason = failure("upload", err)
            gr.Warning(f"上传失败：{reason}")
            return self.listing(_status(f"上传失败，知识库未改变。原因：{reason}", "error"), kb, request=request)
        names = "、".join(p.name for _, p in added.stored)
        kind = "warn" if added.report.problems or added.skipped else "ok"
        return self.listing(_status(_report_text(added.report, f"已添加 {names}"), kind), kb, request=request)

    @needs_admin
    def delete(self, doc_id: str | None, kb: str | None = None, request: gr.Request = None) -> tuple:
        if (refused := self._refused(request, kb)) is not None:
            return refused + ("",)
        if not doc_id:
            return self.listing(_status("请先在上面选择要删除的文章。", "warn"), kb, request=request) + ("",)
        try:
            pipeline = self._pipeline(kb, request)
            deleted = delete_document(pipeline, doc_id, self._corpus(pipeline))
        except IndexMissing:
            deleted = None
        except Exception as err:
            return self.listing(_status(f"删除失败，知识库未改变。原因：{failure('delete', err)}", "error"), kb,
                                request=request) + ("",)
        if deleted is None:
            return self.listing(_status("这篇文章已不在知识库中。", "warn"), kb, request=request) + ("",)
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
        return self.listing(_status(_report_text(deleted.report, f"已删除《{title}》{note}")), kb,
                            request=request) + ("",)

    @needs_admin
    def rebuild(self, kb: str | None = None, progress: gr.Progress = gr.Progress(), request: gr.Request = None) -> tuple:
        if (refused := self._refused(request, kb)) is not None:
            return refused
        try:
            pipeline = self._pipeline(kb, request)
            report = pipeline.build(progress=self._progress(progress))
        except Exception as err:
            return self.listing(_status(f"重建失败，原索引保持不变。原因：{failure('rebuild', err)}", "error"), kb,
                                request=request)
        return self.listing(_status(_report_text(report, f"已从 {self._corpus(pipeline)} 重建索引")), kb,
                            request=request)

    def show(self, doc_id: str | None, kb: str | None = None, request: gr.Request = None) -> str:
        if not doc_id:
            return ""
        try:
            doc = self._pipeline(kb, request).document(doc_id)
            return render_document(doc, replacement=self._versions[1].get(doc_id))
        except Exception as err:
            return _status(failure("show", err), "error")


def _number(page) -> int:
    try:
        return int(page or 1)
    except (TypeError, ValueError, OverflowError):
        return 1


def _page(docs: list[DocInfo], query: str | None, page) -> tuple[list[DocInfo], int, int, int]:
    """(the documents of page `page` among those matching `query`, the page kept in range, pages, matching)."""
    needle = (query or "").strip().lower() if isinstance(query, str) else ""
    if needle:
        docs = [d for d in docs if any(needle in (x or "").lower() for x in (d.title, d.id, d.source, d.file))]
    pages = max(1, -(-len(docs) // PAGE_SIZE))
    try:
        page = min(max(1, int(page or 1)), pages)
    except (TypeError, ValueError, OverflowError):
        page = 1
    return docs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, pages, len(docs)


def build_knowledge_tab(pipeline: Pipeline, settings: Settings,
                        library: Library | None = None) -> tuple[KnowledgeHandlers, gr.Dropdown, list]:
    """Lay out the knowledge-base view inside the current gr.Tab and wire its events.

    Returns the handlers, the knowledge-base chooser and the [status, table, picker] components
    that `listing` fills."""
    h = KnowledgeHandlers(pipeline, settings, library)
    with gr.Row(elem_id="kb-choose-row"):
        chosen = gr.Dropdown(label="知识库 Knowledge base", choices=[(DEFAULT, DEFAULT)], value=DEFAULT,
                             elem_id="kb-choose", scale=2)
        query = gr.Textbox(label="搜索 Search", placeholder="标题、文件名 title, file", max_lines=1,
                           elem_id="kb-search", scale=3)
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
            with gr.Row(elem_id="kb-pager"):
                prev = gr.Button("◀ 上一页 Prev", size="sm", elem_id="kb-prev")
                page = gr.Number(value=1, precision=0, minimum=1, label="页 Page", elem_id="kb-page", min_width=80)
                nxt = gr.Button("下一页 Next ▶", size="sm", elem_id="kb-next")
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
    h.view_inputs = [chosen, query, page]
    _wire(h, chosen, query, page, prev, nxt, upload, delete, rebuild, refresh, picker, viewer, listing)
    return h, chosen, listing


def _wire(h: KnowledgeHandlers, chosen, query, page, prev, nxt, upload, delete, rebuild, refresh, picker, viewer,
          listing) -> None:
    private = dict(api_visibility="private")
    writes = dict(concurrency_limit=1, concurrency_id="index-write", api_visibility="private",
                  show_progress_on=[listing[0]])
    upload.upload(h.upload, inputs=[upload, chosen], outputs=listing, **writes).then(
        lambda: None, outputs=[upload], api_visibility="private", queue=False
    )
    delete.click(
        h.delete,
        inputs=[picker, chosen],
        outputs=listing + [viewer],
        js="(id, kb) => [(id && confirm('从知识库删除这篇文章？ Delete this article?')) ? id : null, kb]",
        **writes,
    )
    rebuild.click(h.rebuild, inputs=[chosen], outputs=listing, **writes)
    view = h.view_inputs
    paged = [page] + listing
    refresh.click(h.view, inputs=view, outputs=listing, **private)
    chosen.change(h.first, inputs=[chosen, query], outputs=paged, **private)
    query.submit(h.first, inputs=[chosen, query], outputs=paged, **private)
    page.submit(h.again, inputs=view, outputs=paged, **private)
    prev.click(h.prev, inputs=view, outputs=paged, **private)
    nxt.click(h.next, inputs=view, outputs=paged, **private)
    picker.change(h.show, inputs=[picker, chosen], outputs=[viewer], **private)
