"""The PDFs dxdesk prints: sheets, a section's booklet, the organisation report.

:func:`make_pdf` is the one entry point for the command line and the GUI:

- ``sheets``: the yearly sheet of each selected measure (all, one section's, or given codes / ids);
- ``booklet``: a section's cover, contents with page numbers, then its sheets;
- ``report``: the organisation report — cover, grade distribution by 分野 and by 部局, achievement
  overview with the page of each sheet, the audit-readiness findings, then every sheet.

Measures are read in batches and each sheet is drawn and forgotten before the next
(:mod:`dxdesk.report.model`); finished pages are kept compressed (:mod:`dxdesk.report.pages`).
Where page numbers must be known before the pages are drawn (contents, overview), the sheets are laid
out once without drawing to count them. The file is written atomically: a failure or a cancel leaves
the previous file as it was.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from dxdesk import __version__
from dxdesk.domain.audit import Finding, check_plan
from dxdesk.domain.enums import EvaluationScheme
from dxdesk.domain.evaluation import GRADING_SCHEMES, distribution_title
from dxdesk.domain.fiscal import fy_label, fy_short
from dxdesk.files import atomic_path
from dxdesk.report.errors import PrintError
from dxdesk.report.fonts import SETTING_KEY, PrintFont, find_font
from dxdesk.report.frontmatter import ContentsEntry, FrontMatter
from dxdesk.report.layout import CONT, Flow, Part, Row, TextBox, draw_row
from dxdesk.report.model import (
    PrintContext,
    Selected,
    SheetModel,
    iter_sheet_models,
    load_context,
    select_measures,
)
from dxdesk.report.options import PrintOptions
from dxdesk.report.pages import (
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    CompactCanvas,
    PageSink,
    RunningHeader,
)
from dxdesk.report.sheet import SheetBuilder
from dxdesk.report.summary import MeasureSummary, distribution, summarize
from dxdesk.store.database import Database
from dxdesk.store.settings_store import get_setting

__all__ = [
    "KINDS",
    "PrintJob",
    "PrintResult",
    "Progress",
    "SelectionInfo",
    "default_file_name",
    "describe_selection",
    "make_pdf",
]

KINDS = ("sheets", "booklet", "report")
KIND_LABELS = {"sheets": "シート", "booklet": "課所室の冊子", "report": "全庁の報告書"}

# progress(done, total, message); may raise PrintCancelled to stop
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PrintJob:
    kind: str = "sheets"
    fiscal_year: int | None = None
    section_code: str | None = None
    measure_codes: tuple[str, ...] = ()
    measure_ids: tuple[int, ...] | None = None
    font_path: str | None = None


@dataclass
class PrintResult:
    path: Path
    pages: int
    sheets: int
    font: str
    missing_chars: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class _Render:
    """State of one print job: font, options, builders, progress."""

    def __init__(self, ctx: PrintContext, font: PrintFont, progress: Progress | None, total: int):
        self.ctx = ctx
        self.font = font
        self.options = PrintOptions.of(ctx.settings)
        self.missing: set[str] = set()
        self.text = TextBox(font, self.missing)
        self.builder = SheetBuilder(self.options, self.text, ctx.period)
        self.front = FrontMatter(font, self.text)
        self.progress = progress
        self.total = total
        self.done = 0
        self.outline: list[tuple[str, str, int]] = []  # PDF bookmarks: title, key, level

    def tick(self, message: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, message)

    @property
    def plan_line(self) -> str:
        c = self.ctx
        return "　".join(x for x in (c.municipality, c.plan_name, c.version_label) if x)

    # --- one sheet -----------------------------------------------------------------------------
    def sheet(self, sink: PageSink, m: SheetModel) -> int:
        """Draw (or count) one measure's sheet; returns the number printed on its first page."""
        header = RunningHeader(
            left=f"{fy_label(m.fiscal_year)}　{m.section_name}",
            right=f"{m.code}　{m.name}",
            footer_left=self.plan_line,
        )
        sink.landscape = self.options.landscape(m.snapshot.kind)
        flow = Flow(sink, self.font, header)
        flow.new_page()
        first = sink.number
        c = sink.canvas
        if c is not None:
            key = f"sheet-{m.measure_id}"
            c.bookmarkPage(key)
            self.outline.append((f"{m.code}　{m.name}", key, 0))
        flow.header = replace(header, right=header.right + CONT)
        self.title(flow, self.options.sheet_title(m.fiscal_year, m.snapshot.kind), self.builder.sign_off(m))
        for part in self.builder.parts(m):
            flow.part(part)
            flow.space(Flow.PART_GAP)
        return first

    def title(self, flow: Flow, text: str, sign: Row | None = None) -> None:
        """The sheet's title; with sign-off boxes, the title goes left and the boxes right."""
        size = 13.5
        box_w = sum(cell.width for cell in sign.cells) if sign is not None else 0.0
        room = flow.sink.content_width - box_w - (12 if sign is not None else 0)
        shown = self.font.printable(text)
        while size > 9 and self.font.width(shown, size) > room:
            size -= 0.5
        height = max(size * 2.0, sign.height() + 8 if sign is not None else 0)
        c = flow.sink.canvas
        if c is not None:
            w = self.font.width(shown, size)
            x = MARGIN_X if sign is not None else flow.sink.page_width / 2 - w / 2
            c.saveState()
            t = c.beginText()
            t.setFont(self.font.name, size)
            t.setTextRenderMode(2)
            c.setLineWidth(0.4)
            t.setTextOrigin(x, flow.y - height / 2 - size * 0.35)
            t.textOut(shown)
            c.drawText(t)
            c.restoreState()
            if sign is not None:
                draw_row(
                    c,
                    self.font,
                    sign,
                    MARGIN_X + flow.sink.content_width - box_w,
                    flow.y - (height - 8 - sign.height()) / 2,
                    sign.height(),
                )
        flow.space(height)

    def parts(self, sink: PageSink, header: RunningHeader, parts: Iterable[Part]) -> None:
        sink.landscape = False
        flow = Flow(sink, self.font, header)
        flow.new_page()
        for part in parts:
            c = sink.canvas
            if c is not None:
                key = f"part-{len(self.outline)}"
                c.bookmarkPage(key)
                self.outline.append((part.heading, key, 0))
            flow.part(part)
            flow.space(Flow.PART_GAP * 2)

    def summaries(self, session: Session, ids: Sequence[int]) -> list[MeasureSummary]:
        out = []
        snapshots = []
        for m in iter_sheet_models(session, self.ctx, ids):
            out.append(summarize(m))
            snapshots.append(m.snapshot)
            self.tick(f"集計しています（{m.code}）")
        # plan-wide findings (the same measure split across sections) join each measure's own
        split: dict[str, list[Finding]] = {}
        for f in check_plan(snapshots, self.ctx.settings, self.ctx.section_names):
            split.setdefault(f.measure_code, []).append(f)
        return [replace(s, findings=s.findings + tuple(split[s.code])) if s.code in split else s for s in out]

    def count_parts(self, header: RunningHeader, parts: Sequence[Part]) -> int:
        sink = PageSink(None, self.font)
        self.parts(sink, header, parts)
        return sink.pages

    def sheets(self, session: Session, sink: PageSink, ids: Sequence[int]) -> list[int]:
        """Draw the sheets; returns the first page number of each."""
        firsts = []
        for m in iter_sheet_models(session, self.ctx, ids):
            firsts.append(self.sheet(sink, m))
            self.tick(f"シートを作成しています（{m.code}）")
        return firsts

    def front_then_sheets(
        self,
        session: Session,
        sink: PageSink,
        ids: Sequence[int],
        front: Callable[[list[int] | None], tuple[RunningHeader, Callable[[], None], list[Part]]],
    ) -> None:
        """Front pages (cover, lists with the page of each sheet) followed by the sheets.

        The front pages are counted first with placeholder page numbers, the sheets are drawn with
        their final page numbers, then the front pages are drawn and moved before them."""
        header, _, parts = front(None)
        front_pages = 1 + self.count_parts(header, parts)
        c = sink.canvas
        assert c is not None
        sink.renumber(front_pages + 1)
        firsts = self.sheets(session, sink, ids)
        sink.end_page()
        sheet_outline = self.outline
        self.outline = []
        drawn = c.page_count
        sink.renumber(1)
        header, cover, parts = front(firsts)
        sink.landscape = False
        cover()
        self.parts(sink, header, parts)
        sink.end_page()
        if c.page_count - drawn != front_pages:  # never expected: the lists only gain digits
            raise PrintError("前付けのページ数が想定と異なります（内部エラー）。")
        c.move_to_front(drawn)
        self.outline += sheet_outline


def _choose_font(session: Session, job: PrintJob) -> PrintFont:
    chosen = job.font_path or get_setting(session, SETTING_KEY) or None
    return find_font(chosen)


def _job_selection(session: Session, job: PrintJob) -> tuple[PrintContext, list[Selected]]:
    """The print context of the job's year and the measures it selects, in print order."""
    ctx = load_context(session, job.fiscal_year)
    selected = select_measures(
        session,
        ctx,
        section_code=job.section_code,
        measure_codes=job.measure_codes or None,
        measure_ids=job.measure_ids,
    )
    return ctx, selected


def make_pdf(db: Database, out: Path | str, job: PrintJob, progress: Progress | None = None) -> PrintResult:
    """Write the PDF ``job`` asks for to ``out`` (atomically). Raises :class:`PrintError` subclasses
    with Japanese messages (no font, nothing selected, cancelled)."""
    if job.kind not in KINDS:
        raise PrintError(f"印刷の種類「{job.kind}」はありません（sheets / booklet / report）。")
    started = time.perf_counter()
    out = Path(out)
    with db.session() as session:
        if job.kind == "booklet" and not job.section_code and not job.measure_ids and not job.measure_codes:
            raise PrintError("冊子を作る課所室を指定してください（--section コード）。")
        ctx, selected = _job_selection(session, job)
        font = _choose_font(session, job)
        ids = [s.id for s in selected]
        n = len(ids)
        passes = 1 if job.kind == "sheets" else 2
        r = _Render(ctx, font, progress, n * passes)
        try:
            with atomic_path(out) as tmp:
                canvas = CompactCanvas(
                    str(tmp),
                    pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
                    initialFontName=font.name,
                    initialFontSize=9,
                    pageCompression=0,
                )
                title = _document_title(ctx, job, r)
                canvas.setTitle(title)
                canvas.setAuthor(ctx.municipality or ctx.plan_name)
                canvas.setSubject(f"{ctx.plan_name} {fy_label(ctx.fiscal_year)}")
                canvas.setCreator(f"dxdesk {__version__}")
                sink = PageSink(canvas, font)
                if job.kind == "sheets":
                    r.sheets(session, sink, ids)
                elif job.kind == "booklet":
                    _booklet(session, r, sink, ids, job)
                else:
                    _report(session, r, sink, ids)
                for title_text, key, level in r.outline:
                    canvas.addOutlineEntry(font.printable(title_text), key, level=level)
                sink.close()
                canvas.save()
        except PermissionError as exc:
            raise PrintError(
                f"PDFファイル「{out.name}」に書き込めません。PDFを表示ソフトで開いている場合は閉じてから、"
                "もう一度作成してください（保存先フォルダに書き込めるかも確かめてください）。"
            ) from exc
        except OSError as exc:
            raise PrintError(
                f"PDFファイル「{out.name}」を書き込めません（{exc.strerror or exc}）。保存先を確かめてください。"
            ) from exc
    result = PrintResult(
        path=out,
        pages=sink.pages,
        sheets=n,
        font=f"{font.label}（{font.path}）",
        missing_chars="".join(sorted(r.missing)),
        seconds=time.perf_counter() - started,
    )
    if r.missing:
        result.notes.append(
            f"フォント「{font.label}」にない文字が{len(r.missing)}種類あり、〓で印刷しました：{''.join(sorted(r.missing))[:40]}"
        )
    return result


def _document_title(ctx: PrintContext, job: PrintJob, r: _Render) -> str:
    base = r.options.sheet_title(ctx.fiscal_year)
    if job.kind == "report":
        return f"{fy_label(ctx.fiscal_year)}　{ctx.plan_name}　評価結果報告書"
    if job.section_code:
        return f"{base}（{ctx.section_names.get(job.section_code, job.section_code)}）"
    return base


def column_title(r: _Render) -> str:
    """The heading of a measure's bucket in lists: 評価 for an A–D plan, else its 方向性 / 見直し区分,
    else 達成状況."""
    return distribution_title(r.ctx.settings, r.options.label("direction") or "方向性")


def _booklet(session: Session, r: _Render, sink: PageSink, ids: Sequence[int], job: PrintJob) -> None:
    ctx = r.ctx
    summaries = r.summaries(session, ids)
    section = ctx.section_names.get(job.section_code or "", "") if job.section_code else ""
    header = RunningHeader(
        left=f"{fy_label(ctx.fiscal_year)}　{section}", right="目次", footer_left=r.plan_line
    )

    def front(firsts: list[int] | None) -> tuple[RunningHeader, Callable[[], None], list[Part]]:
        pages = firsts or [9999] * len(summaries)
        entries = [
            ContentsEntry(s.code, s.name, s.section_name, s.grade_column + ("※" if s.overridden else ""), p)
            for s, p in zip(summaries, pages, strict=True)
        ]

        def cover() -> None:
            r.front.cover(
                sink,
                header,
                r.options.sheet_title(ctx.fiscal_year),
                section,
                [
                    ("計画", ctx.plan_name),
                    ("団体", ctx.municipality),
                    ("年度", fy_label(ctx.fiscal_year)),
                    ("シート数", f"{len(ids)}件"),
                ],
            )

        return header, cover, [r.front.contents(entries, column_title(r))]

    r.front_then_sheets(session, sink, ids, front)


def _report(session: Session, r: _Render, sink: PageSink, ids: Sequence[int]) -> None:
    ctx = r.ctx
    summaries = r.summaries(session, ids)
    level0 = ctx.settings.level_name(0)
    dist_title = (
        "評価の分布" if ctx.settings.evaluation_scheme in GRADING_SCHEMES else f"{column_title(r)}の分布"
    )
    header = RunningHeader(
        left=f"{fy_label(ctx.fiscal_year)}　{ctx.plan_name}", right="評価結果報告書", footer_left=r.plan_line
    )

    def front(firsts: list[int] | None) -> tuple[RunningHeader, Callable[[], None], list[Part]]:
        pages = firsts or [9999] * len(summaries)
        items = [replace(s, page=p) for s, p in zip(summaries, pages, strict=True)]

        def cover() -> None:
            r.front.cover(
                sink,
                header,
                f"{fy_label(ctx.fiscal_year)}　評価結果報告書",
                ctx.plan_name,
                [
                    ("団体", ctx.municipality),
                    ("計画", " ".join(x for x in (ctx.plan_name, ctx.version_label) if x)),
                    ("対象", f"{len(ids)}件（{fy_label(ctx.fiscal_year)}）"),
                ],
            )

        return (
            header,
            cover,
            [
                r.front.distribution(
                    f"{dist_title}（{level0}別）", level0, distribution(items, "field", ctx.settings)
                ),
                r.front.distribution(
                    f"{dist_title}（部局別）", "部局", distribution(items, "bureau", ctx.settings)
                ),
                *(
                    [r.front.score_averages(items, [(p.key, p.label) for p in ctx.settings.perspectives])]
                    if ctx.settings.evaluation_scheme is EvaluationScheme.PERSPECTIVE
                    else []
                ),
                r.front.overview(items, column_title(r)),
                r.front.findings(items),
            ],
        )

    r.front_then_sheets(session, sink, ids, front)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def default_file_name(db: Database, job: PrintJob) -> str:
    """A file name a person recognises: 「R8_情報政策課_施策評価シート.pdf」「R8_088_…pdf」."""
    with db.session() as session:
        ctx = load_context(session, job.fiscal_year)
        options = PrintOptions.of(ctx.settings)
        fy = fy_short(ctx.fiscal_year)
        title = (
            options.sheet_title(ctx.fiscal_year).replace(fy_label(ctx.fiscal_year), "").strip("　 ")
            or "シート"
        )
        if job.kind == "report":
            parts = [fy, "評価結果報告書"]
        elif job.section_code and not job.measure_ids and not job.measure_codes:
            parts = [fy, ctx.section_names.get(job.section_code, job.section_code), title]
        else:
            selected = select_measures(
                session, ctx, measure_codes=job.measure_codes or None, measure_ids=job.measure_ids
            )
            if len(selected) == 1:
                parts = [fy, selected[0].code, title]
            else:
                parts = [fy, f"{title}{len(selected)}件"]
    name = "_".join(_UNSAFE.sub("-", p) for p in parts if p)
    return f"{name[:120]}.pdf"


@dataclass(frozen=True)
class SelectionInfo:
    """What a print job would print, for a dialog to show before it starts."""

    count: int
    first_code: str
    first_name: str
    section_name: str
    fiscal_year: int


def describe_selection(db: Database, job: PrintJob) -> SelectionInfo:
    """Count and name what ``job`` selects. Raises :class:`PrintError` (e.g. nothing selected)."""
    from sqlalchemy import select as sql_select

    from dxdesk.store.models import Measure

    with db.session() as session:
        ctx, selected = _job_selection(session, job)
        first = selected[0]
        name = session.scalar(sql_select(Measure.name).where(Measure.id == first.id)) or ""
        return SelectionInfo(
            count=len(selected),
            first_code=first.code,
            first_name=name,
            section_name=ctx.section_names.get(job.section_code or "", "") if job.section_code else "",
            fiscal_year=ctx.fiscal_year,
        )
