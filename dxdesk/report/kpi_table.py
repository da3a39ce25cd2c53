"""The 指標 part as one multi-row KPI table (Sasebo's 「重点課題 KPI の評価」), and the 目標（総括）・事業総括 texts.

One table holds every KPI of the measure: per KPI one row per ``indicator_rows`` entry (予定, 実績),
the years of the indicator table (R3–R9) as columns, then 算出式・設定根拠 and the sheet year's
進捗状況・評価 beside them. The 課題, the KPI's name and the two texts belong to all the KPI's rows:
the rows below the first continue those cells (``Cell.joined_above``), as merged cells do on the
published sheet. Above the table: the place of the 課題 in the plan tree (分野, 分類, DX重点課題) and its
到達像 (a measure attribute). The table is meant for a landscape page (``landscape_kinds``); its
widths follow the page the measure kind prints on. A plan chooses it per measure kind (``kpi_table_kinds``).

Only plain rows and cells: the submission workbook renders the same parts.
"""

from __future__ import annotations

from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.values import NA_MARK, format_rate
from dxdesk.report.layout import MUTED_FILL, Cell, Row, Style
from dxdesk.report.model import SheetModel
from dxdesk.report.options import year_short
from dxdesk.report.tables import CURRENT_FILL, CURRENT_HEAD, HEAD, LABEL, NUM, SMALL, TableParts

__all__ = ["goals", "kpi_table"]

TASK_W = 92.0  # 課題
NAME_W = 118.0  # KPI name
KIND_W = 30.0  # 予定 / 実績
YEAR_W = 38.0
TEXT_SIZE = Style(size=7.0)


def _head_rows(b: TableParts, m: SheetModel, width: float) -> list[Row]:
    """The 課題's place in the plan tree on one line, and its 到達像."""
    o = b.o
    rows: list[Row] = []
    if m.path and o.shown("tree"):
        path = "　".join(f"{n.level}：{n.name}" for n in m.path[:-1]) if len(m.path) > 1 else ""
        owner = f"{o.label('owner')}：{m.bureau_name or m.section_name}" if o.shown("owner") else ""
        text = "　".join(x for x in (path, owner) if x)
        if text:
            rows.append(_pair(b, o.label("tree"), text, width))
    for key, label in o.attributes_for(m.snapshot.kind):
        value = m.attributes.get(key)
        rows.append(_pair(b, label, "" if value is None else str(value), width))
    return rows


def _pair(b: TableParts, label: str, text: str, width: float, label_w: float = TASK_W) -> Row:
    return Row([b.cell(label, label_w, LABEL, cont=True), b.cell(text, width - label_w)])


def kpi_table(b: TableParts, m: SheetModel) -> list[Row]:
    o = b.o
    width = o.content_width(m.snapshot.kind)
    fy = m.fiscal_year
    inds = b._shown_indicators(m)
    rows = _head_rows(b, m, width)
    if not inds:
        return rows
    years = b._years(m)
    text_w = (width - TASK_W - NAME_W - KIND_W - YEAR_W * len(years)) / 2
    if text_w < 60:  # many years on a narrow page: the year columns give way
        year_w = (width - TASK_W - NAME_W - KIND_W - 120) / len(years)
        text_w = 60.0
    else:
        year_w = YEAR_W
    header = Row(
        [
            b.cell(m.kind_label, TASK_W, HEAD),
            b.cell("KPI", NAME_W, HEAD),
            b.cell("", KIND_W, HEAD),
            *(b.cell(year_short(y), year_w, CURRENT_HEAD if y == fy else HEAD) for y in years),
            b.cell(o.label("rationale"), text_w, HEAD),
            b.cell(o.label("value_note"), text_w, HEAD),
        ]
    )
    rows.append(header)
    kinds = o.indicator_rows
    for n, ind in enumerate(inds):
        # the indicator's place in the measure (its payload path in a submission workbook)
        place = next((i for i, x in enumerate(m.snapshot.indicators) if x is ind), None)
        unit = f"（{ind.unit}）" if ind.unit else ""
        flags = [f for f, on in (("累計", ind.cumulative), ("参考指標", ind.reference_only)) if on]
        name = f"{ind.name}{unit}" + (f"［{'・'.join(flags)}］" if flags else "")
        note = ind.year(fy).note if o.shown("value_note") else ""
        rationale = ind.rationale if o.shown("rationale") else ""
        # the KPI's texts run down its rows, a share of their lines in each (the rows are as tall as
        # on the published sheet, and the rules between them are not drawn through the texts)
        task = _spread(b, m.name if n == 0 else "", TASK_W, SMALL, 1) + [[]] * (len(kinds) - 1)
        names = _spread(b, name, NAME_W, SMALL, 1) + [[]] * (len(kinds) - 1)
        rationales = _spread(b, rationale, text_w, TEXT_SIZE, len(kinds))
        notes = _spread(b, note, text_w, TEXT_SIZE, len(kinds))
        for k, kind_key in enumerate(kinds):
            first = k == 0
            cells = [
                Cell(TASK_W, task[k], SMALL, joined_above=not (n == 0 and first)),
                Cell(NAME_W, names[k], SMALL, joined_above=not first),
                b.cell(o.label(kind_key), KIND_W, Style(size=7.2, align="center", valign="middle")),
            ]
            for y in years:
                iy = ind.year(y)
                if kind_key == "rate":
                    text = ""
                    if iy.actual.is_entered and ind.active_in(y):
                        r = achievement_rate(ind.direction, iy.target, iy.actual, ind.baseline)
                        text = format_rate(r.rate, o.rate_decimals) if r.rate is not None else NA_MARK
                    style = NUM
                    value = None
                else:
                    value = iy.target if kind_key == "target" else iy.actual
                    text, style = b._value(value, ind)
                fill = MUTED_FILL if not ind.active_in(y) else CURRENT_FILL if y == fy else None
                style = Style(size=7.2, align=style.align, valign="middle", fill=fill)
                cells.append(b.cell(text, year_w, style))
                if value is not None and value.is_number and place is not None:
                    cells[-1].number = value.number
                    cells[-1].path = ("indicators", place, "values", str(y), kind_key)
            cells.append(Cell(text_w, rationales[k], TEXT_SIZE, joined_above=not first))
            cells.append(Cell(text_w, notes[k], TEXT_SIZE, joined_above=not first))
            last = k == len(kinds) - 1
            rows.append(Row(cells, header=header, keep_with_next=not last))
    return rows


def _spread(b: TableParts, text: str, width: float, style: Style, rows: int) -> list[list[str]]:
    """The lines of ``text`` in ``width``, shared out over ``rows`` rows from the top."""
    lines = b.t.lines(text, width, style) if text else []
    per = -(-len(lines) // rows) if lines else 0
    return [lines[i * per : (i + 1) * per] for i in range(rows)]


def goals(b: TableParts, m: SheetModel) -> list[Row]:
    """The plan's text fields of the ``goals`` part (目標（総括）, 事業総括), headed with the year."""
    o = b.o
    width = o.content_width(m.snapshot.kind)
    prefix = f"{year_short(m.fiscal_year)}年度の"
    return [
        _pair(b, prefix + f.label, m.snapshot.sheet.text(f.key), width, label_w=110.0)
        for f in o.settings.text_fields
        if f.part == "goals"
    ]
