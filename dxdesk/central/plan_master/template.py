"""Writing the plan master workbook: the empty template, or the plan as the database holds it.

The same layout (:mod:`dxdesk.central.plan_master.layout`) the importer reads: a cover sheet with the
instructions in Japanese, the 基本設定 sheet, then one table per kind of row with a coloured header
(orange = required, grey = for reading only, green = a fiscal year's column), the column's help as a
cell comment, drop-down lists for the closed choices, frozen headers and filters. Written with
openpyxl through the exchange's ``WorkbookBuilder.put`` (text never becomes a formula, numbers keep
their decimals), atomically. Exporting a plan and importing the file unchanged changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dxdesk.central.plan_master.apply_org import GOVERNED_SETTINGS, SHEET_SETTINGS
from dxdesk.central.plan_master.layout import (
    BASIC_FIELD_WORDS,
    COST_COLUMNS,
    DIRECTION_WORDS,
    INDICATOR_YEARS_WORDS,
    NOT_SET,
    PLAN_ITEMS,
    PRINT_DEFAULTS,
    SHEET_ACTUALS,
    SHEET_ATTRIBUTES,
    SHEET_BUREAUS,
    SHEET_COVER,
    SHEET_INDICATORS,
    SHEET_KINDS,
    SHEET_MEASURES,
    SHEET_MILESTONES,
    SHEET_PLAN,
    SHEET_SECTIONS,
    SHEET_TREE,
    SHEET_YEARS,
    SHEETS,
    VALUE_TYPE_WORDS,
    Column,
    SheetSpec,
    actual_header,
    reference_header,
    target_header,
)
from dxdesk.domain.enums import IndicatorKind, MilestoneStatus, Stage
from dxdesk.domain.fiscal import FiscalYear, fy_label, fy_short
from dxdesk.domain.settings import PlanSettings, default_settings_dict
from dxdesk.exchange.layout import LINE_PT, MAX_ROW_PT, PAD_PT, wrap_spans
from dxdesk.exchange.workbook import WorkbookBuilder, safe_text

__all__ = ["template_years", "write_template"]

FILL = {
    "required": PatternFill("solid", fgColor="F8CBAD"),
    "normal": PatternFill("solid", fgColor="DDEBF7"),
    "ref": PatternFill("solid", fgColor="E7E6E6"),
    "year": PatternFill("solid", fgColor="E2EFDA"),
}
BOLD = Font(bold=True)
GREY = Font(color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
COVER_WIDTH = 90.0
VALIDATION_ROWS = 3000  # drop-down lists reach this far below the data

COVER_RULES = (
    "1行目の見出しで列を見分けます。列の順番を変えたり、メモ用の列を足したりしても構いません（メモの列は読み込みません）。",
    "オレンジ色の見出しは必須の列です。灰色の見出し（参考）は読むためのもので、読み込みには使いません。",
    "年度は「R8」「令和8年度」「2026」のどれでも入力できます。",
    "数値は全角数字、「1,234」のようなカンマ、「△5」（マイナス）も使えます。該当しない欄は「—」を入力します（空欄とは区別されます）。",
    "施策・指標・体系・課所室はコードで照合します。同じコードの行は更新され、新しいコードの行は追加されます。",
    "各課が入力する内容（調査年度の実績、取組結果などの記述、自己評価、方向性、事業費）は、このファイルでは変わりません。",
    "過去の実績シートは調査年度より前の年度だけです。空欄のセルは今の値のまま変わりません。",
    "実績が入力されている指標は削除できません。使わなくなった指標は「使用終了年度」に最後の年度を入れます。",
    "シートごと削除すると、その内容は変更しません（例：施策シートだけのファイルは施策だけを更新します）。",
    "dxdesk の「計画マスタを読み込む」で読み込みます。問題があると「シート・行・列・内容」の一覧が表示され、すべて直すまで何も読み込まれません。",
    "同じファイルをもう一度読み込んでも何も変わりません。",
)


def template_years(
    data: Mapping[str, Any] | None, today: dt.date | None = None
) -> tuple[list[int], list[int]]:
    """(target years, past actual years) the template has columns for."""
    plan = (data or {}).get("plan") or {}
    current = plan.get("current_fy") or FiscalYear.of_date(today or dt.date.today()).year
    start = plan.get("period_start_fy") or current - 3
    end = plan.get("period_end_fy") or current + 3
    years = set(range(min(start, current), max(end, current) + 1))
    actual_years = set(range(min(start, current - 1), current))
    for md in (data or {}).get("measures", []):
        for ind in md.get("indicators", []):
            for fy_text, vd in (ind.get("values") or {}).items():
                fy = int(fy_text)
                if vd.get("target") is not None:
                    years.add(fy)
                if vd.get("actual") is not None and fy < current:
                    actual_years.add(fy)
    return sorted(years), sorted(actual_years)


def _cell_value(stored: str | None) -> str | Decimal | None:
    """A stored value as a cell: numbers as numbers (with their decimals shown), the rest as text."""
    if stored is None:
        return None
    try:
        d = Decimal(stored)
    except (InvalidOperation, ValueError):
        return stored
    return d if d.is_finite() else stored


def _year(fy: int | None) -> str | None:
    return fy_short(fy) if fy is not None else None


def _mark(flag: Any) -> str | None:
    return "○" if flag else None


class _Writer:
    def __init__(self) -> None:
        self.book = WorkbookBuilder()

    def put(self, ws: Worksheet, row: int, col: int, value: Any, font: Font | None = None) -> None:
        cell = self.book.put(ws, row, col, value)
        if font is not None:
            cell.font = font

    def put_wrapped(
        self, ws: Worksheet, row: int, col: int, text: str | None, width: float, font: Font | None = None
    ) -> None:
        """A text that wraps in its column, the row made tall enough (Excel and LibreOffice do not
        size rows written by openpyxl)."""
        self.put(ws, row, col, text, font)
        ws.cell(row=row, column=col).alignment = WRAP
        lines = len(wrap_spans(safe_text(text or ""), width - 1.0))
        height = min(MAX_ROW_PT, lines * LINE_PT + PAD_PT)
        current = ws.row_dimensions[row].height or 0
        ws.row_dimensions[row].height = max(current, height)

    def table(
        self, spec: SheetSpec, extra: list[tuple[str, str, str, float]], rows: Iterable[list[Any]]
    ) -> Worksheet:
        """A table sheet: header (with extra (header, kind, help, width) columns), rows, lists."""
        ws = self.book.sheet(spec.name)
        headers: list[tuple[str, str, str, float, Column | None]] = [
            (
                c.header,
                "ref" if c.is_reference else ("required" if c.required else "normal"),
                c.help,
                c.width,
                c,
            )
            for c in spec.columns
        ] + [(h, kind, help_text, width, None) for h, kind, help_text, width in extra]
        for i, (header, kind, help_text, width, col) in enumerate(headers, start=1):
            cell = ws.cell(row=1, column=i, value=header)
            cell.font = BOLD
            cell.fill = FILL[kind]
            cell.alignment = HEAD_ALIGN
            note = ("必須。" if kind == "required" else "") + help_text
            if note:
                comment = Comment(note, "dxdesk")
                comment.width, comment.height = 260, 90
                cell.comment = comment
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = width
            if col is not None and col.kind in ("code", "codes"):
                ws.column_dimensions[letter].number_format = "@"  # 「088」 stays text when typed
        ws.row_dimensions[1].height = 32
        n = 1
        for values in rows:
            n += 1
            for i, value in enumerate(values, start=1):
                if value is not None and value != "":
                    ref = headers[i - 1][1] == "ref"
                    self.put(ws, n, i, value, GREY if ref else None)
        ws.freeze_panes = spec.freeze
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n, 2)}"
        last = max(n, 1) + VALIDATION_ROWS
        for i, (_h, _k, _t, _w, col) in enumerate(headers, start=1):
            if col is None or not (col.choices or col.list_from):
                continue
            if col.list_from:
                sheet, letter = col.list_from.split("!")
                formula = f"'{sheet}'!${letter}$2:${letter}${last}"
            else:
                formula = '"' + ",".join(col.choices) + '"'
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.errorStyle = "warning"  # a person may still type a code the list does not show
            dv.errorTitle = "一覧にない値です"
            dv.error = (
                f"「{col.header}」は一覧から選んでください。このまま入力すると、読み込むときに確認されます。"
            )
            dv.showErrorMessage = True
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{last}")
            ws.add_data_validation(dv)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.print_title_rows = "1:1"
        return ws


def _settings(data: Mapping[str, Any] | None) -> tuple[PlanSettings, dict[str, Any]]:
    raw = dict(((data or {}).get("plan") or {}).get("settings") or {})
    return PlanSettings.from_dict(raw), raw


def _cover(w: _Writer, data: Mapping[str, Any] | None) -> None:
    ws = w.book.sheet(SHEET_COVER)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = COVER_WIDTH
    plan = (data or {}).get("plan") or {}
    title = f"{plan.get('name') or '（計画名）'}　計画マスタ" if data else "dxdesk 計画マスタ（ひな形）"
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.row_dimensions[1].height = 26
    written = dt.datetime.now().strftime("%Y年%m月%d日 %H:%M")
    ws.cell(
        row=2,
        column=1,
        value=f"作成：dxdesk　{written}"
        + (f"　調査年度：{fy_label(plan['current_fy'])}" if plan.get("current_fy") else ""),
    )
    r = 4
    ws.cell(row=r, column=1, value="入力のきまり").font = BOLD
    for rule in COVER_RULES:
        r += 1
        ws.cell(row=r, column=1, value="・").alignment = Alignment(horizontal="right", vertical="top")
        w.put_wrapped(ws, r, 2, rule, COVER_WIDTH)
    r += 2
    ws.cell(row=r, column=1, value="シート").font = BOLD
    ws.cell(row=r, column=2, value="内容").font = BOLD
    sheets = [(SHEET_PLAN, "計画の名前・期間・調査年度・体系の階層名などの基本設定（項目ごとに1行）。")] + [
        (s.name, s.purpose) for s in SHEETS
    ]
    for name, purpose in sheets:
        r += 1
        ws.cell(row=r, column=1, value=name).alignment = WRAP
        w.put_wrapped(ws, r, 2, purpose, COVER_WIDTH)
    r += 2
    ws.cell(row=r, column=1, value="色の意味").font = BOLD
    for fill, text in (
        ("required", "必須の列"),
        ("normal", "任意の列"),
        ("year", "年度の列（「R8目標」「R7実績」）"),
        ("ref", "参考（読み込みでは使いません）"),
    ):
        r += 1
        ws.cell(row=r, column=1).fill = FILL[fill]
        ws.cell(row=r, column=2, value=text)
    ws.sheet_view.showGridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _plan_sheet(w: _Writer, data: Mapping[str, Any] | None) -> None:
    ws = w.book.sheet(SHEET_PLAN)
    for i, (header, width) in enumerate((("項目", 24), ("値", 44), ("説明", 80)), start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font, cell.fill, cell.alignment = BOLD, FILL["normal"], HEAD_ALIGN
        ws.column_dimensions[get_column_letter(i)].width = width
    plan = dict((data or {}).get("plan") or {})
    settings, raw = _settings(data)
    if not data:
        plan["current_fy"] = FiscalYear.of_date(dt.date.today()).year
    other = {k: v for k, v in raw.items() if k not in GOVERNED_SETTINGS + SHEET_SETTINGS}
    values: dict[str, Any] = {
        "code": plan.get("code"),
        "name": plan.get("name"),
        "municipality": plan.get("municipality"),
        "version_label": plan.get("version_label"),
        "period_start_fy": _year(plan.get("period_start_fy")),
        "period_end_fy": _year(plan.get("period_end_fy")),
        "current_fy": _year(plan.get("current_fy")),
        "level_names": "、".join(settings.level_names),
        "evaluation_scheme": settings.evaluation_scheme.label,
        "yearly_targets": "あり" if settings.yearly_targets else "なし",
        "cost_unit": settings.cost_unit,
        **_print_values(raw),
        "other_settings": _json(other) if other else None,
    }
    for r, item in enumerate(PLAN_ITEMS, start=2):
        label = ws.cell(row=r, column=1, value=item.label)
        label.font = BOLD
        label.alignment = Alignment(vertical="top")
        label.fill = FILL["required" if item.required else "normal"]
        value = values.get(item.key)
        if item.kind == "json" and value:
            w.put_wrapped(ws, r, 2, value, 44)
        else:
            w.put(ws, r, 2, value)
        w.put_wrapped(ws, r, 3, item.help, 80, GREY)
        if item.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(item.choices) + '"', allow_blank=True)
            dv.errorStyle = "warning"
            dv.add(f"B{r}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def _print_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The print settings' rows of 基本設定 as a person reads them (the printed form's default where the
    plan does not set one, 「なし」 where a setting is not used)."""
    basic = raw.get("basic_fields")
    labels = raw.get("cost_year_labels")
    return {
        "rate_decimals": raw.get("rate_decimals", PRINT_DEFAULTS["rate_decimals"]),
        "indicator_years": INDICATOR_YEARS_WORDS.get(
            raw.get("indicator_years", PRINT_DEFAULTS["indicator_years"]), raw.get("indicator_years")
        ),
        "basic_fields": "、".join(BASIC_FIELD_WORDS.get(k, k) for k in basic) if basic else NOT_SET,
        "cost_year_labels": f"{labels['actual']}、{labels['plan']}"
        if isinstance(labels, Mapping)
        else NOT_SET,
    }


def _json(value: Mapping[str, Any]) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _walk_tree(
    tree: list[dict[str, Any]], parent: str | None = None, depth: int = 0
) -> Iterator[tuple[dict[str, Any], str | None, int]]:
    for n in tree:
        yield n, parent, depth
        yield from _walk_tree(n.get("children", []), n["code"], depth + 1)


def write_template(path: Path, plan: Mapping[str, Any] | None = None) -> Path:
    """Write the plan master workbook to ``path`` (atomically): empty, or holding ``plan`` — a
    ``dxdesk/dataset/1`` document such as ``export_dataset`` returns."""
    data = plan
    w = _Writer()
    settings, raw = _settings(data)
    kinds = dict(settings.measure_kinds)
    attribute_list = raw.get("measure_attributes", default_settings_dict()["measure_attributes"])
    _cover(w, data)
    _plan_sheet(w, data)
    spec = {s.name: s for s in SHEETS}
    w.table(spec[SHEET_KINDS], [], ([k, label] for k, label in kinds.items()))
    w.table(
        spec[SHEET_ATTRIBUTES],
        [],
        ([a["key"], a["label"], "、".join(a.get("kinds") or [])] for a in attribute_list),
    )
    d: Mapping[str, Any] = data or {}
    w.table(
        spec[SHEET_BUREAUS],
        [],
        (
            [b["code"], b["name"], _year(b.get("valid_from_fy")), _year(b.get("valid_to_fy"))]
            for b in d.get("bureaus", [])
        ),
    )
    w.table(
        spec[SHEET_SECTIONS],
        [],
        (
            [
                s["code"],
                s["name"],
                s.get("bureau"),
                _year(s.get("valid_from_fy")),
                _year(s.get("valid_to_fy")),
            ]
            for s in d.get("sections", [])
        ),
    )
    w.table(
        spec[SHEET_TREE],
        [],
        (
            [n["code"], n["name"], parent, settings.level_name(depth), n.get("description")]
            for n, parent, depth in _walk_tree(d.get("tree", []))
        ),
    )
    attributes = list(settings.measure_attributes)
    w.table(
        spec[SHEET_MEASURES],
        [(label, "normal", f"属性（{key}）。", 14) for key, label in attributes],
        (_measure_row(md, kinds, attributes) for md in d.get("measures", [])),
    )
    target_years, actual_years = template_years(data)
    w.table(
        spec[SHEET_INDICATORS],
        [(target_header(fy), "year", f"{fy_label(fy)}の目標値。", 9) for fy in target_years],
        (row for md in d.get("measures", []) for row in _indicator_rows(md, target_years)),
    )
    reference_years = sorted(
        {
            int(fy)
            for md in d.get("measures", [])
            for ind in md.get("indicators", [])
            for fy, vd in (ind.get("values") or {}).items()
            if vd.get("reference") is not None
        }
    )
    w.table(
        spec[SHEET_ACTUALS],
        [(actual_header(fy), "year", f"{fy_label(fy)}の実績値。", 9.0) for fy in actual_years]
        + [
            (reference_header(fy), "year", f"{fy_label(fy)}の参考値（実績とは別の基準で算出した値）。", 9.0)
            for fy in reference_years
        ],
        (row for md in d.get("measures", []) for row in _actual_rows(md, actual_years, reference_years)),
    )
    w.table(spec[SHEET_MILESTONES], [], (row for md in d.get("measures", []) for row in _milestone_rows(md)))
    w.table(spec[SHEET_YEARS], [], (row for md in d.get("measures", []) for row in _year_rows(md)))
    w.book.wb.active = 0
    w.book.save_unsigned(Path(path))
    return Path(path)


def _measure_row(
    md: Mapping[str, Any], kinds: Mapping[str, str], attributes: list[tuple[str, str]]
) -> list[Any]:
    attrs = md.get("attributes") or {}
    return [
        md["code"],
        md["name"],
        md.get("node"),
        kinds.get(md.get("kind") or "measure", md.get("kind") or "measure"),
        md.get("owner"),
        "、".join(md.get("related") or []),
        md.get("purpose"),
        md.get("summary"),
        md.get("target_group"),
        md.get("budget_item"),
        md.get("legal_basis"),
        "、".join(str(g) for g in md.get("sdgs") or []),
        _year(md.get("start_fy")),
        _year(md.get("end_fy")),
        md.get("period_label"),
        _mark(md.get("leading")),
    ] + [attrs.get(key) for key, _label in attributes]


def _indicator_rows(md: Mapping[str, Any], years: list[int]) -> Iterable[list[Any]]:
    for p, ind in enumerate(md.get("indicators", [])):
        values = ind.get("values") or {}
        kind = ind.get("kind") or "outcome"
        yield [
            md["code"],
            str(ind.get("code") or p + 1),
            md["name"],
            ind["name"],
            ind.get("unit"),
            IndicatorKind(kind).label if kind in set(IndicatorKind) else kind,
            DIRECTION_WORDS.get(ind.get("direction") or "up"),
            _mark(ind.get("cumulative")),
            VALUE_TYPE_WORDS.get(ind.get("value_type") or "numeric"),
            ind.get("decimals"),
            _cell_value(ind.get("baseline")),
            _year(ind.get("baseline_fy")),
            _cell_value(ind.get("final_target")),
            _year(ind.get("final_target_fy")),
            ind.get("rationale"),
            ind.get("note"),
            _mark(ind.get("reference_only")),
            _year(ind.get("valid_from_fy")),
            _year(ind.get("valid_to_fy")),
            IndicatorKind(ind["kind_confirmed"]).label if ind.get("kind_confirmed") else None,
            _cell_value(ind.get("plausible_min")),
            _cell_value(ind.get("plausible_max")),
        ] + [_cell_value((values.get(str(fy)) or {}).get("target")) for fy in years]


def _actual_rows(md: Mapping[str, Any], years: list[int], references: list[int]) -> Iterable[list[Any]]:
    for p, ind in enumerate(md.get("indicators", [])):
        values = ind.get("values") or {}
        yield (
            [md["code"], str(ind.get("code") or p + 1), md["name"], ind["name"], ind.get("unit")]
            + [_cell_value((values.get(str(fy)) or {}).get("actual")) for fy in years]
            + [_cell_value((values.get(str(fy)) or {}).get("reference")) for fy in references]
        )


def _milestone_rows(md: Mapping[str, Any]) -> Iterable[list[Any]]:
    for fy_text, yd in sorted((md.get("years") or {}).items()):
        for ms in yd.get("milestones") or []:
            yield [
                md["code"],
                md["name"],
                fy_short(int(fy_text)),
                ms["text"],
                _year(ms.get("due_fy")),
                ms.get("due_month"),
                MilestoneStatus(ms.get("status") or "not_started").label,
            ]


# stages evaluated by schedule (milestones) rather than by KPI, as the grading rules say (構築期, 安定期（見直し）)
_SCHEDULE_STAGES = frozenset({Stage.BUILD, Stage.STABLE_REVIEW})


def _year_rows(md: Mapping[str, Any]) -> Iterable[list[Any]]:
    """One row per year that has a stage or an amount."""
    years = md.get("years") or {}
    costs = md.get("costs") or {}
    for fy_text in sorted(set(years) | set(costs), key=int):
        stage = (years.get(fy_text) or {}).get("stage")
        cd = costs.get(fy_text) or {}
        amounts = [_amount(cd.get(key)) for key, _h in COST_COLUMNS]
        if stage is None and all(a is None for a in amounts):
            continue
        st = Stage(stage) if stage else None
        management = None
        if st is not None:
            management = "スケジュール" if st in _SCHEDULE_STAGES else "KPI"
        yield [md["code"], md["name"], fy_short(int(fy_text)), st.label if st else None, management, *amounts]


def _amount(stored: Any) -> Decimal | None:
    return None if stored is None else Decimal(str(stored))
