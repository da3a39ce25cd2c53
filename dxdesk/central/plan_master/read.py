"""Reading a plan master workbook into checked records, with every problem located.

The file is opened with the exchange's safe reader (size caps, no DTDs, cells by python-calamine): a
plan master comes from a person's PC and is treated as untrusted input. Each sheet's header row says
which column is which; a missing optional column means "leave that field as it is", a missing
required column is a problem. Every cell is read with :mod:`dxdesk.central.plan_master.cells`; what
cannot be read becomes a :class:`Problem` 「シート・行・列・内容」 and reading goes on, so one pass
reports everything. Indicator values are kept raw here: they are read once the indicator's value type,
unit and decimals are known (:mod:`dxdesk.central.plan_master.apply`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dxdesk.central.plan_master import cells as C
from dxdesk.central.plan_master.formats import percent_cells, show_percentages
from dxdesk.central.plan_master.layout import (
    ACTUAL_SUFFIX,
    PLAN_ITEMS,
    REFERENCE_SUFFIX,
    SHEET_COVER,
    SHEET_PLAN,
    SHEETS,
    TARGET_SUFFIX,
    Column,
    PlanItem,
    SheetSpec,
)
from dxdesk.domain.fiscal import FiscalYearError, parse_fiscal_year
from dxdesk.exchange.errors import ReasonCode, UnreadableWorkbook
from dxdesk.exchange.reader import XlsxReader, column_letters
from dxdesk.exchange.workbook import PAYLOAD_SHEET

__all__ = ["FILE", "MasterFile", "Problem", "ProblemList", "Record", "YearColumn", "read_master"]

FILE = "（ファイル）"
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem of a plan master file: where (sheet, row, column) and what, in Japanese."""

    sheet: str
    row: int | None
    column: str  # 「C（施策名）」, or "" for the whole row or sheet
    message: str
    severity: str = ERROR  # error: nothing is imported; warning: imported, but look at it

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def severity_label(self) -> str:
        return "エラー" if self.is_error else "注意"

    def location(self) -> str:
        parts = [self.sheet if self.sheet == FILE else f"{self.sheet}シート"]
        if self.row is not None:
            parts.append(f"{self.row}行目")
        if self.column:
            letter, _, rest = self.column.partition("（")
            parts.append(f"{letter}列（{rest}" if rest else f"{letter}列")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}：{self.message}"


class ProblemList:
    """What a result holding ``problems`` answers: its errors, its warnings, whether it is OK."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class YearColumn:
    fy: int
    label: str  # 「F（R8目標）」
    index: int  # 0-based column index


@dataclass
class Record:
    """One data row: checked values by column key (raw for indicator values), and where each came from."""

    sheet: str
    row: int
    values: dict[str, Any]
    cols: dict[str, str]
    years: dict[int, Any] = field(default_factory=dict)  # year columns: fy → raw cell
    refs: dict[int, Any] = field(default_factory=dict)  # 参考値 columns (過去の実績): fy → raw cell
    attributes: dict[str, Any] = field(default_factory=dict)  # attribute label → raw cell

    def where(self, key: str) -> str:
        return self.cols.get(key, "")


@dataclass
class MasterFile:
    path: Path
    sheets: set[str] = field(default_factory=set)  # the plan master sheets the file has
    plan: dict[str, Any] = field(default_factory=dict)  # 基本設定: item key → value
    plan_rows: dict[str, int] = field(default_factory=dict)  # item key → row
    records: dict[str, list[Record]] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)  # sheet → column keys it has
    year_columns: dict[str, list[YearColumn]] = field(default_factory=dict)
    reference_columns: dict[str, list[YearColumn]] = field(default_factory=dict)  # 「R6参考値」
    attribute_columns: dict[str, str] = field(default_factory=dict)  # attribute label → column label
    row_codes: dict[str, set[str]] = field(default_factory=dict)  # codes of every row, read or not
    problems: list[Problem] = field(default_factory=list)

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message, ERROR))

    def warn(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message, WARNING))

    def has(self, sheet: str, key: str | None = None) -> bool:
        if sheet not in self.sheets:
            return False
        return key is None or key in self.present.get(sheet, set())


def _header(raw: Any) -> str:
    """A header as compared: NFKC, without spaces and the 「※」 some people add to required ones."""
    text = "" if raw is None else str(raw)
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("※", "").strip()


def _shown(raw: Any) -> str:
    """A header as the person wrote it, for messages."""
    return ("" if raw is None else str(raw)).strip()


_UNREADABLE = {
    ReasonCode.NOT_XLSX: "Excel ブック（.xlsx）ではありません。Excel で「Excel ブック（*.xlsx）」の形式で保存し直してから読み込んでください。",
}


def _file_problem(exc: UnreadableWorkbook, path: Path) -> str:
    message = _UNREADABLE.get(exc.code)
    if message is None:
        message = str(exc).replace("dxdesk のファイルではありません", "計画マスタとして読めません")
        if not message.endswith("。"):
            message += "。"
        message += "Excel で開けるか確かめ、保存し直してから読み込んでください。"
    try:
        with path.open("rb") as fh:
            if fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
                message = "古い形式（.xls）のブックです。Excel で「Excel ブック（*.xlsx）」の形式で保存し直してから読み込んでください。"
    except OSError:
        pass
    return message


def read_master(path: Path) -> MasterFile:
    """Read and check a plan master workbook. Never raises for bad input: see ``problems``."""
    path = Path(path)
    mf = MasterFile(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        mf.error(
            FILE,
            None,
            "",
            f"「{path.name}」は Excel ブック（.xlsx）ではありません。計画マスタは .xlsx で保存してください。",
        )
        return mf
    try:
        with XlsxReader(path) as reader:
            sheets = reader.sheets()
            names = {s.name for s in sheets}
            if PAYLOAD_SHEET in names:
                mf.error(
                    FILE,
                    None,
                    "",
                    "配布ファイル・提出ファイルなど署名付きのファイルです。計画マスタのひな形に入力したファイルを選んでください。",
                )
                return mf
            known = {SHEET_PLAN} | {s.name for s in SHEETS}
            if not names & known:
                mf.error(
                    FILE,
                    None,
                    "",
                    "計画マスタのシート（基本設定・施策・指標など）がありません。「計画マスタのひな形」に入力したファイルを選んでください。",
                )
                return mf
            for info in sheets:
                if info.name in (SHEET_COVER,) or info.name not in known:
                    if info.name not in (SHEET_COVER,) and info.state == "visible":
                        mf.warn(info.name, None, "", "計画マスタのシートではないため読み込みません。")
                    continue
                rows = [list(r) for r in reader.rows(info)]
                show_percentages(rows, percent_cells(reader, info))  # 「30.0%」 typed, 0.3 stored
                mf.sheets.add(info.name)
                if info.name == SHEET_PLAN:
                    _read_plan(mf, rows)
                else:
                    _read_table(mf, next(s for s in SHEETS if s.name == info.name), rows)
    except UnreadableWorkbook as exc:
        mf.error(FILE, None, "", _file_problem(exc, path))
    return mf


# --- 基本設定 ------------------------------------------------------------------------------------


def _plan_reader(item: PlanItem) -> Callable[[Any], Any]:
    match item.kind:
        case "year":
            return C.read_year
        case "names":
            return C.read_names
        case "json":
            return C.read_json
        case "bool":
            return C.read_yes_no
        case "enum":
            return C.read_scheme
        case "rate_decimals":
            return C.read_rate_decimals
        case "indicator_years":
            return C.read_indicator_years
        case "basic_fields":
            return C.read_basic_fields
        case "cost_year_labels":
            return C.read_cost_year_labels
        case _:
            return lambda raw: C.read_text(raw, item.max_len)


def _read_plan(mf: MasterFile, rows: list[list[Any]]) -> None:
    by_label = {_header(i.label): i for i in PLAN_ITEMS}
    seen: dict[str, int] = {}
    for r, row in enumerate(rows[1:], start=2):
        label = _header(row[0] if row else "")
        raw = row[1] if len(row) > 1 else None
        if not label:
            if not C.is_blank(raw):
                mf.error(SHEET_PLAN, r, "A（項目）", "項目名が空欄です。")
            continue
        item = by_label.get(label)
        if item is None:
            mf.warn(
                SHEET_PLAN, r, "A（項目）", f"「{label[:30]}」は基本設定の項目ではないため読み込みません。"
            )
            continue
        if item.key in seen:
            mf.error(
                SHEET_PLAN,
                r,
                "A（項目）",
                f"「{item.label}」が{seen[item.key]}行目にもあります。1行にしてください。",
            )
            continue
        seen[item.key] = r
        if isinstance(raw, str) and len(raw) > C.MAX_CELL_CHARS:
            mf.error(SHEET_PLAN, r, "B（値）", _too_long(raw))
            continue
        try:
            value = _plan_reader(item)(raw)
        except C.CellError as exc:
            mf.error(SHEET_PLAN, r, "B（値）", f"{item.label}：{exc}")
            continue
        if item.required and value in (None, "", []):
            mf.error(SHEET_PLAN, r, "B（値）", f"{item.label}が空欄です。")
            continue
        mf.plan[item.key] = value
        mf.plan_rows[item.key] = r
    for item in PLAN_ITEMS:
        if item.required and item.key not in seen:
            mf.error(SHEET_PLAN, None, "", f"項目「{item.label}」の行がありません。")


def _too_long(raw: str) -> str:
    return (
        f"セルの文字数が Excel の上限（{C.MAX_CELL_CHARS:,}文字）を超えています（{len(raw):,}文字）。"
        "文章を短くしてください。"
    )


# --- the table sheets -----------------------------------------------------------------------------


def _cell_reader(col: Column) -> Callable[[Any], Any] | None:
    """The reader of a column's cells; None for columns read later (values) or never (参考)."""
    match col.kind:
        case "code":
            return lambda raw: C.read_code(raw, col.max_len)
        case "text":
            return lambda raw: C.read_text(raw, col.max_len)
        case "year":
            return C.read_year
        case "month":
            return C.read_month
        case "int":
            return lambda raw: C.read_int(raw, 0, 6)
        case "bool":
            return C.read_bool
        case "codes":
            return C.read_codes
        case "cost" | "number":
            return C.read_amount
        case "sdgs":
            return C.read_sdgs
        case "enum":
            return {
                "direction": C.read_direction,
                "value_type": C.read_value_type,
                "status": C.read_milestone_status,
                "stage": C.read_stage,
                "kind_confirmed": C.read_indicator_kind,
            }.get(col.key, C.read_indicator_kind if col.key == "kind" and col.choices else C.read_text)
        case _:
            return None


def _year_of_header(header: str, suffix: str) -> int:
    text = header.removesuffix(suffix).strip()
    return parse_fiscal_year(text)


def _year_column(mf: MasterFile, sheet: str, i: int, raw: Any, suffix: str, into: list[YearColumn]) -> None:
    """Add the year column ``raw`` (「R8目標」「R6参考値」) at index ``i`` to ``into``, or say why not."""
    text, shown = _header(raw), _shown(raw)
    label = f"{column_letters(i + 1)}（{shown}）"
    try:
        fy = _year_of_header(text, suffix)
    except FiscalYearError as exc:
        example = "R6" if suffix == REFERENCE_SUFFIX else "R8"
        mf.error(
            sheet,
            1,
            label,
            f"列見出し「{shown}」の年度が読み取れません。「{example}{suffix}」のように入力してください（{exc}）",
        )
        return
    if fy in {y.fy for y in into}:
        mf.error(sheet, 1, label, f"同じ年度の列が2つあります（{shown}）。")
        return
    into.append(YearColumn(fy, label, i))


def _read_table(mf: MasterFile, spec: SheetSpec, rows: list[list[Any]]) -> None:
    sheet = spec.name
    header = rows[0] if rows else []
    by_header = {_header(c.header): c for c in spec.columns}
    found: dict[str, int] = {}
    years: list[YearColumn] = []
    refs: list[YearColumn] = []
    attributes: dict[int, str] = {}
    for i, raw in enumerate(header):
        text = _header(raw)
        shown = _shown(raw)
        letter = column_letters(i + 1)
        if not text:
            continue
        col = by_header.get(text)
        if col is not None:
            if col.key in found:
                mf.error(
                    sheet,
                    1,
                    f"{letter}（{shown}）",
                    f"列「{shown}」が2つあります（{column_letters(found[col.key] + 1)}列にもあります）。",
                )
                continue
            found[col.key] = i
            continue
        suffix = {"targets": TARGET_SUFFIX, "actuals": ACTUAL_SUFFIX}.get(spec.dynamic)
        if spec.dynamic == "actuals" and text.endswith(REFERENCE_SUFFIX):
            _year_column(mf, sheet, i, raw, REFERENCE_SUFFIX, refs)
            continue
        if suffix and text.endswith(suffix):
            _year_column(mf, sheet, i, raw, suffix, years)
            continue
        if spec.dynamic == "attributes":
            attributes[i] = shown
            continue
        mf.warn(
            sheet,
            1,
            f"{letter}（{shown}）",
            f"列「{shown[:30]}」は計画マスタの列ではないため読み込みません。",
        )
    for col in spec.columns:
        if col.required and col.key not in found:
            mf.error(
                sheet, 1, "", f"必須の列「{col.header}」がありません。ひな形の列見出しのまま使ってください。"
            )
    mf.present[sheet] = set(found)
    mf.year_columns[sheet] = sorted(years, key=lambda y: y.fy)
    mf.reference_columns[sheet] = sorted(refs, key=lambda y: y.fy)
    if attributes:
        mf.attribute_columns = {
            label: f"{column_letters(i + 1)}（{label}）" for i, label in attributes.items()
        }
    labels = {key: f"{column_letters(i + 1)}（{_shown(header[i])}）" for key, i in found.items()}
    records: list[Record] = []
    for r, row in enumerate(rows[1:], start=2):
        if all(C.is_blank(v) for v in row):
            continue
        rec = Record(sheet, r, {}, labels)
        for i, v in enumerate(row):
            if isinstance(v, str) and len(v) > C.MAX_CELL_CHARS:
                name = _shown(header[i]) if i < len(header) else ""
                mf.error(
                    sheet,
                    r,
                    f"{column_letters(i + 1)}（{name}）" if name else column_letters(i + 1),
                    _too_long(v),
                )
                row[i] = ""
        for key, i in found.items():
            col = spec.column(key)
            raw = row[i] if i < len(row) else None
            if col.kind == "value":
                rec.values[key] = raw
                continue
            reader = _cell_reader(col)
            if reader is None:
                continue
            try:
                value = reader(raw)
            except C.CellError as exc:
                mf.error(sheet, r, labels[key], str(exc))
                continue
            if col.required and value in ("", None, []):
                mf.error(sheet, r, labels[key], f"{col.header}が空欄です。")
                continue
            rec.values[key] = value
        for y in years:
            rec.years[y.fy] = row[y.index] if y.index < len(row) else None
        for y in refs:
            rec.refs[y.fy] = row[y.index] if y.index < len(row) else None
        for i, label in attributes.items():
            rec.attributes[label] = row[i] if i < len(row) else None
        if rec.values.get("code"):
            mf.row_codes.setdefault(sheet, set()).add(rec.values["code"])
        if all(col.key in rec.values for col in spec.columns if col.required):
            records.append(rec)
    mf.records[sheet] = records
