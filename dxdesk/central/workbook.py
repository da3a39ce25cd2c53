"""The merged workbook (全庁集計): ``dxdesk export`` and the central office's 全庁集計を出力 button.

Sheets, in order:

- **全庁一覧** — one row per measure × indicator (a measure without indicators has one row) with every
  field: tree, bureau, section, submission status and revision, review, stage, grades and reasons,
  direction, the indicator's baseline / targets / actuals / 達成率, every text field of the plan, the
  perspective scores, schedule, costs of the year, sign-off and review comments;
- **評価分布** — the plan's own distribution (A–D, 対象外, 未入力, 評価なし for an A–D plan; its 方向性 /
  見直し区分 counts otherwise) by 分野 (top level of the plan tree) and by 部局;
- **監査指摘** — the audit-readiness findings (docs/evaluation-rules.md), most severe first;
- **提出状況** — the status board;
- one sheet per section with its rows of 全庁一覧.

Every table has its header frozen, filters on, and column widths that fit the longest value (within a
cap, Japanese counted double). Every sheet prints one page wide (landscape: A3 for 全庁一覧 and the
section sheets, A4 for the others) with its header row — and, on the wide lists, the code and name
columns — repeated on every page; long texts wrap (rows as high as their text, up to
:data:`MAX_ROW_LINES` lines); numbers show thousands separators, an indicator's value its own decimals
and 「%」 when its unit is %, a 達成率 the plan's decimals with 「%」. Values only — no formulas (a text starting with ``=`` stays text). The
workbook is written in openpyxl's write-only mode (rows streamed to the file) and atomically (a
temporary file renamed when complete).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dxdesk.central.errors import ExportError
from dxdesk.central.workbook_rows import Cell, MergedData, collect
from dxdesk.domain.fiscal import FiscalYear, fy_label
from dxdesk.domain.glossary import RECEIVED_AT
from dxdesk.exchange.layout import text_units
from dxdesk.exchange.workbook import safe_text
from dxdesk.files import atomic_path
from dxdesk.store.database import Database
from dxdesk.store.queries import current_plan

__all__ = ["WorkbookResult", "export_merged_workbook", "merged_workbook_name"]

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
FONT = "游ゴシック"
_HEAD_FONT = Font(name=FONT, bold=True, size=10)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_HEAD_ALIGN = Alignment(vertical="center", wrap_text=True)
_TITLE_FONT = Font(name=FONT, bold=True, size=12)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_CELL = 32_000
MAX_ROW_LINES = 8
_LINE_HEIGHT = 13.5  # points per line of 10-point text
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")
PERCENT_UNITS = ("%", "％")
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class WorkbookResult:
    path: Path
    rows: int
    measures: int
    sections: int
    findings: int
    seconds: float


def merged_workbook_name(fiscal_year: int) -> str:
    """「R08_全庁集計.xlsx」."""
    return f"{FiscalYear(fiscal_year).short2()}_全庁集計.xlsx"


def _text(value: str) -> str:
    text = safe_text(value)
    return (
        text
        if len(text) <= MAX_CELL
        else text[: MAX_CELL - 30] + "…（以下省略：全文は dxdesk で確認できます）"
    )


def widths_for(headers: Sequence[str], rows: Iterable[Sequence[Cell]], caps: Sequence[float]) -> list[float]:
    """Column widths that fit the longest value of each column (its longest line), within its cap
    (longer texts wrap); a header is shown on up to three lines.

    A text is measured only while it could still widen its column: one longer (in characters) than
    the cap is at the cap whatever its characters."""
    # a header wraps over up to three lines: it need not widen its column
    widths = [min(text_units(h) / 3.0 + 2.0, cap) for h, cap in zip(headers, caps, strict=True)]
    for row in rows:
        for i, v in enumerate(row):
            if v is None:
                continue
            w = widths[i]
            cap = caps[i]
            if w >= cap:
                continue
            if isinstance(v, str):
                if (len(v) + 2) <= w / 2.0:  # even all full-width it fits
                    continue
                if "\n" in v:
                    units = max(_units(line, cap) for line in v.split("\n"))
                else:
                    units = _units(v, cap)
            else:
                units = len(format(v, ",f") if isinstance(v, Decimal) else str(v)) * 1.1
            if units + 2.0 > w:
                widths[i] = min(units + 2.0, cap)
    return [max(6.0, w) for w in widths]


def _units(text: str, cap: float) -> float:
    return cap if len(text) * 1.05 >= cap else text_units(text)


def number_format(decimals: int, *, percent: bool = False) -> str:
    """「#,##0」, 「#,##0.0」…, with a literal 「%」 for a percentage (the cell holds 10.0, not 0.1)."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return fmt + '"%"' if percent else fmt


def _decimals_of(v: Decimal) -> int:
    exp = v.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def _lines(text: str, width: float) -> int:
    per_line = max(1.0, width - 1.0)
    if "\n" not in text and len(text) * 2.0 <= per_line:  # fits even all full-width
        return 1
    return sum(max(1, -(-int(text_units(line)) // int(per_line))) for line in text.split("\n"))


class _Styles:
    """The few cell styles of a sheet, made once and copied onto each cell (assigning an alignment
    or a number format to every cell of a large workbook costs more than writing it)."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self._made: dict[tuple[bool, str], StyleArray] = {}
        self._lines: dict[tuple[str, float], int] = {}

    def cell(self, value: object, *, wrap: bool = False, fmt: str = "General") -> WriteOnlyCell:
        key = (wrap, fmt)
        style = self._made.get(key)
        if style is None:
            proto = WriteOnlyCell(self.ws, value=None)
            proto.alignment = _WRAP if wrap else _TOP
            proto.number_format = fmt
            style = self._made[key] = proto._style
        c = WriteOnlyCell(self.ws, value=value)
        c._style = copy(style)
        return c

    def lines(self, text: str, width: float) -> int:
        key = (text, width)
        n = self._lines.get(key)
        if n is None:
            n = self._lines[key] = _lines(text, width)
        return n


@dataclass(frozen=True)
class Layout:
    """How a table prints: its columns' number kinds (see :class:`Column`), the unit column of each
    row (for 「%」), the paper, and the columns repeated on every page."""

    kinds: Sequence[str] = ()
    decimals: Sequence[int] = ()
    unit_col: int | None = None
    paper: str = "9"  # 9 = A4, 8 = A3
    title_cols: str | None = None


def _fill(
    ws: WriteOnlyWorksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    caps: Sequence[float],
    *,
    freeze_col: int = 1,
    widths: Sequence[float] | None = None,
    layout: Layout | None = None,
) -> None:
    """Write a table into a write-only sheet: widths, frozen header, filters and print settings first
    (they precede the rows in the sheet's XML), then the header and the rows. Every table prints one
    page wide, as many pages long as it takes."""
    lay = layout or Layout()
    col_widths = list(widths or widths_for(headers, rows, caps))
    for i, w in enumerate(col_widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 1)
    ws.freeze_panes = f"{get_column_letter(freeze_col)}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows)) + 1}"
    ws.sheet_view.zoomScale = 90
    ws.print_options.gridLines = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = lay.paper
    ws.print_title_rows = "1:1"
    if lay.title_cols:
        ws.print_title_cols = lay.title_cols
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    wraps = [k == "" for k in (list(lay.kinds) or [""] * len(headers))]
    kinds = list(lay.kinds) or [""] * len(headers)
    decimals = list(lay.decimals) or [0] * len(headers)
    head = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill, c.alignment = _HEAD_FONT, _HEAD_FILL, _HEAD_ALIGN
        head.append(c)
    ws.row_dimensions[1].height = (
        _LINE_HEIGHT * min(3, max(_lines(h, w) for h, w in zip(headers, col_widths, strict=True))) + 4
    )
    ws.append(head)
    styles = _Styles(ws)
    for r, row in enumerate(rows, start=2):
        unit = row[lay.unit_col] if lay.unit_col is not None else None
        percent = isinstance(unit, str) and unit in PERCENT_UNITS
        lines = 1
        cells: list[object] = []
        for i, v in enumerate(row):
            if v is None:
                cells.append(None)
                continue
            if isinstance(v, str) and wraps[i]:
                lines = max(lines, styles.lines(v, col_widths[i]))
            cells.append(_cell(styles, v, kinds[i], decimals[i], percent, wraps[i]))
        if lines > 1:
            ws.row_dimensions[r].height = _LINE_HEIGHT * min(lines, MAX_ROW_LINES) + 3
        ws.append(cells)


def _cell(styles: _Styles, v: Cell, kind: str, decimals: int, percent: bool, wrap: bool) -> object:
    if isinstance(v, str):
        text = _text(v) if (len(v) > MAX_CELL or _NEEDS_CLEANING.search(v)) else v
        c = styles.cell(text, wrap=wrap)
        if text[:1] == "=":  # openpyxl would write it as a formula
            c.data_type = "s"
        return c
    if isinstance(v, Decimal | int) and not isinstance(v, bool):
        if kind == "value" and isinstance(v, Decimal):
            fmt = number_format(_decimals_of(v), percent=percent)
        elif kind == "rate":
            fmt = number_format(decimals, percent=True)
        elif kind == "amount":
            fmt = number_format(decimals)
        else:
            fmt = number_format(_decimals_of(v) if isinstance(v, Decimal) else 0)
        return styles.cell(v, fmt=fmt)
    return v


def _sheet_title(code: str, name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", f"{code} {name}").strip("'")[:31] or code[:31]
    title, n = base, 2
    while title in taken:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _distribution_rows(
    title: str, counts: dict[str, dict[str, int]], columns: Sequence[str]
) -> list[tuple[Cell, ...]]:
    out: list[tuple[Cell, ...]] = []
    for group, c in counts.items():
        out.append((title, group, *(c.get(k, 0) for k in columns), sum(c.values())))
    totals = {k: sum(c.get(k, 0) for c in counts.values()) for k in columns}
    out.append((title, "合計", *(totals[k] for k in columns), sum(totals.values())))
    return out


def _discard(wb: Workbook) -> None:
    """Close the sheets' streams and remove their temporary files (an export stopped half-way)."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        if not getattr(ws, "closed", True):
            with contextlib.suppress(Exception):
                ws.close()
        with contextlib.suppress(OSError, AttributeError, TypeError):
            os.remove(writer.out)


def _write_sheets(
    wb: Workbook,
    data: MergedData,
    headers: list[str],
    caps: list[float],
    report: Progress,
    stop: Cancel,
) -> None:
    # sheets are created in their order now and filled in any order: 監査指摘 last, because the
    # plan-wide check runs in another process meanwhile
    overview, dist_ws, findings_ws, status_ws = (
        cast(WriteOnlyWorksheet, wb.create_sheet(t)) for t in ("全庁一覧", "評価分布", "監査指摘", "提出状況")
    )
    taken = {"全庁一覧", "評価分布", "監査指摘", "提出状況"}
    section_ws = [
        cast(WriteOnlyWorksheet, wb.create_sheet(_sheet_title(c, n, taken))) for c, n in data.sections
    ]
    freeze = headers.index("施策名") + 2  # codes and names stay in view while scrolling right
    wide = Layout(
        kinds=[c.kind for c in data.columns],
        decimals=[c.decimals for c in data.columns],
        unit_col=headers.index("単位"),
        paper="8",
        title_cols=f"{get_column_letter(headers.index('施策コード') + 1)}:{get_column_letter(freeze - 1)}",
    )
    _fill(overview, headers, data.rows, caps, freeze_col=freeze, layout=wide)
    cols = data.dist_columns
    dist_headers = ["区分", "分野・部局", *cols, "計"]
    dist = _distribution_rows("分野別", data.by_field, cols) + _distribution_rows(
        "部局別", data.by_bureau, cols
    )
    _fill(dist_ws, dist_headers, dist, [10, 40, *([8] * len(cols)), 8], freeze_col=3)
    _fill(
        status_ws,
        [
            "課所室コード",
            "課所室",
            "部局",
            "状態",
            "版",
            RECEIVED_AT,
            "作成者",
            "所属長確認",
            "施策数",
            "受理",
            "差戻し",
            "競合",
        ],
        data.status,
        [12, 30, 24, 10, 6, 18, 16, 16, 8, 8, 8, 8],
        freeze_col=3,
    )
    by_section: dict[str, list[tuple[Cell, ...]]] = {}
    for code, row in zip(data.section_of_row, data.rows, strict=True):
        by_section.setdefault(code, []).append(row)
    n = len(data.sections)
    for i, ((code, _name), ws) in enumerate(zip(data.sections, section_ws, strict=True)):
        if stop():
            raise ExportError("全庁集計の出力を中止しました。ファイルは作成していません。")
        _fill(ws, headers, by_section.get(code, []), caps, freeze_col=freeze, layout=wide)
        if i % 20 == 19:
            report(3, 4, f"課所室ごとのシートを書いています（{i + 1}/{n}）")
    report(3, 4, "監査対応チェックの結果を書いています")
    _fill(
        findings_ws,
        ["重要度", "チェック", "項目", "内容", "施策コード", "施策名", "課所室コード", "課所室", "欄"],
        data.findings(),
        [8, 24, 24, 80, 14, 40, 12, 24, 24],
        freeze_col=2,
    )


def write_workbook(
    data: MergedData, path: Path, progress: Progress | None = None, cancel: Cancel | None = None
) -> int:
    """Write ``data`` to ``path`` atomically; returns the number of sheets."""
    report = progress or (lambda _i, _n, _m: None)
    stop = cancel or (lambda: False)
    headers = [c.header for c in data.columns]
    caps = [c.max_width for c in data.columns]
    wb = Workbook(write_only=True)
    try:
        _write_sheets(wb, data, headers, caps, report, stop)
    except BaseException:
        _discard(wb)
        raise
    report(3, 4, "保存しています")
    try:
        with atomic_path(path) as tmp:
            wb.save(tmp)
    except PermissionError as exc:
        _discard(wb)
        raise ExportError(
            f"「{path.name}」に書き込めません。Excel で開いている場合は閉じてから、もう一度出力してください。"
        ) from exc
    except OSError as exc:
        _discard(wb)
        raise ExportError(f"「{path}」に保存できません（{exc.strerror or exc}）。") from exc
    return 4 + len(data.sections)


def export_merged_workbook(
    db: Database,
    out: Path,
    *,
    fiscal_year: int | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> WorkbookResult:
    """Write the merged workbook of the central database ``db`` to ``out`` (a file; a folder gets
    :func:`merged_workbook_name`). Raises :class:`ExportError`."""
    t0 = time.perf_counter()
    report = progress or (lambda _i, _n, _m: None)
    with db.session() as s:
        plan = current_plan(s)
        if plan is None:
            raise ExportError("計画が登録されていません。中央のデータベースを指定してください。")
        fy = fiscal_year or plan.current_fy
        if fy is None:
            raise ExportError("年度がわかりません（--fy で指定してください）。")
        data = collect(s, plan, fy, report)
    if not data.rows:
        raise ExportError(f"{fy_label(fy)}の施策がありません。")
    out = Path(out)
    if out.is_dir():
        out = out / merged_workbook_name(fy)
    if out.suffix.lower() != ".xlsx":
        raise ExportError("出力先のファイル名は .xlsx で指定してください。")
    write_workbook(data, out, report, cancel)
    report(4, 4, "完了しました")
    return WorkbookResult(
        out, len(data.rows), data.measures, len(data.sections), len(data.findings()), time.perf_counter() - t0
    )
