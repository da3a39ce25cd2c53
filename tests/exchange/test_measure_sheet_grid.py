"""The worksheet renderer takes any part a sheet builder makes: rows of cells become merged boxes on a
grid of the union of their edges, with their fills, alignment and bound values."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from dxdesk.exchange.measure_sheet import SheetPage, draw_parts
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.report.layout import HEAD_FILL, LABEL_FILL, Cell, Part, Row, Style
from dxdesk.report.pages import CONTENT_WIDTH

W = CONTENT_WIDTH
HEAD = Style(size=7.6, align="center", valign="middle", fill=HEAD_FILL)
LABEL = Style(size=7.8, valign="middle", fill=LABEL_FILL)
NUM = Style(size=7.8, align="right", valign="middle")
TEXT = Style()


def cell(text: str, width: float, style: Style = TEXT, **kw) -> Cell:
    return Cell(width, [text] if text else [], style, text=text, **kw)


def kpi_part() -> Part:
    """A landscape-style KPI table a format might add: 課題, KPI, 予定/実績 for seven years, and a
    status mark in a column only 9 points wide."""
    years = [f"R{y}" for y in range(3, 10)]
    year_w = (W - 60 - 120 - 9) / len(years)
    header = Row(
        [cell("課題", 60, HEAD), cell("KPI", 120, HEAD), cell("", 9, HEAD)]
        + [cell(y, year_w, HEAD) for y in years]
    )
    rows = [header]
    for k, (kpi, values) in enumerate(
        [
            ("電子申請の利用件数（件）", [1200, 1350, 1500, 1800, 2100, 2400, 2700]),
            ("窓口の待ち時間（分）", [25, 22, 20, 18, 16, 15, 14]),
        ]
    ):
        cells = [cell("行政手続のオンライン化" if k == 0 else "", 60, LABEL), cell(kpi, 120), cell("○", 9)]
        for j, v in enumerate(values):
            c = cell(f"{v:,}", year_w, NUM)
            c.number, c.path = Decimal(v), ("kpis", k, "values", str(2021 + j), "target")
            cells.append(c)
        rows.append(Row(cells, header=header))
    return Part("成果指標（KPI）の推移", rows)


def test_any_part_is_drawn_on_a_grid_of_its_edges_with_bound_values():
    book = WorkbookBuilder()
    page = SheetPage(
        title="令和8年度　実行計画シート",
        sign_off=None,
        parts=[kpi_part()],
        header=("DX推進課", "1-1　行政手続のオンライン化", "令和8年度"),
        payload_path=("data", "measures", 0),
    )
    draw_parts(book, "1-1", page)
    ws = book.wb["1-1"]
    shown = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    texts = [str(v) for v in shown.values()]
    # every label and value of the part, each in a cell of its own (the 9-point status column too)
    for text in [
        "成果指標（KPI）の推移",
        "課題",
        "KPI",
        "R3",
        "R9",
        "行政手続のオンライン化",
        "窓口の待ち時間（分）",
    ]:
        assert text in texts, text
    assert texts.count("○") == 2
    assert 2700 in shown.values() and 14 in shown.values()
    # the table's 10 columns are columns of the grid: each year is one box, merged where it spans
    r3 = next(ref for ref, v in shown.items() if v == "R3")
    r4 = next(ref for ref, v in shown.items() if v == "R4")
    assert ws[r3].column < ws[r4].column and ws[r3].row == ws[r4].row
    assert ws[r3].fill.fgColor.rgb.endswith(HEAD_FILL.hexval()[2:].upper())
    assert ws[r3].alignment.horizontal == "center" and ws[r3].border.top.style == "thin"
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column + 1)]
    assert all(w >= 0.5 for w in widths)  # no column a reader could not see
    # numbers are bound to their place below the measure in the payload, under row and column labels
    bindings = {b.ref: b for b in book.bindings}
    ref_2700 = next(ref for ref, v in shown.items() if v == 2700)
    b = bindings[ref_2700]
    assert b.type == "n" and b.display == "2,700"
    assert b.path == ("data", "measures", 0, "kpis", 0, "values", "2027", "target")
    assert b.label == "行政手続のオンライン化 R9"  # the nearest label to its left, its column
    # labels and headings are bound as shown text, so an edited label is seen too
    assert bindings[r3].type == "l" and bindings[r3].value == "R3"
    # A4 portrait, one page wide, the title repeated
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$2"


def test_a_cell_joined_above_is_one_merged_box_with_the_cell_above_on_a_landscape_page():
    from dxdesk.report.pages import LANDSCAPE_CONTENT_WIDTH

    lw = LANDSCAPE_CONTENT_WIDTH
    header = Row(
        [cell("KPI", 150, HEAD), cell("", 40, HEAD), cell("R8", 60, HEAD), cell("算出式", lw - 250, HEAD)]
    )
    rows = [header]
    for k, (kind, value) in enumerate([("予定", 8), ("実績", 6)]):
        first = k == 0
        v = cell(str(value), 60, NUM)
        v.number, v.path = (
            Decimal(value),
            ("indicators", 0, "values", "2026", "target" if first else "actual"),
        )
        rows.append(
            Row(
                [
                    Cell(
                        150,
                        ["民間事業者へのオープンデータ提示数（件）"] if first else [],
                        TEXT,
                        joined_above=not first,
                    ),
                    cell(kind, 40, LABEL),
                    v,
                    # the PDF shares a long text out over the rows: the workbook shows it whole, once
                    Cell(
                        lw - 250,
                        ["観光関連データ分析結果の"] if first else ["ダッシュボード数"],
                        TEXT,
                        joined_above=not first,
                    ),
                ],
                header=header,
            )
        )
    page = SheetPage(
        title="【R8】重点課題 KPI の評価",
        sign_off=None,
        parts=[Part("KPI・活動指標", rows)],
        header=("観光商工部", "観光1-KPI　データ活用による戦略策定と観光力強化", "令和8年度"),
        payload_path=("data", "measures", 0),
        landscape=True,
    )
    book = WorkbookBuilder()
    draw_parts(book, "観光1-KPI", page)
    ws = book.wb["観光1-KPI"]
    assert ws.page_setup.orientation == "landscape"
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    name = cells["民間事業者へのオープンデータ提示数（件）"]
    text = cells["観光関連データ分析結果の\nダッシュボード数"]
    assert "ダッシュボード数" not in cells  # not a box of its own
    assert cells["予定"].row == name.row and cells["実績"].row == name.row + 1
    ranges = [CellRange(str(r)) for r in ws.merged_cells.ranges]  # as written to the file
    for c in (name, text):
        merged = [r for r in ranges if r.min_row == c.row and r.min_col == c.column]
        assert len(merged) == 1 and merged[0].max_row == c.row + 1, ranges
    # no range overlaps another (Excel refuses such a file)
    seen: set[tuple[int, int]] = set()
    for r in ranges:
        covered = {
            (row, col) for row in range(r.min_row, r.max_row + 1) for col in range(r.min_col, r.max_col + 1)
        }
        assert not covered & seen
        seen |= covered
    # the values of both rows stay numbers bound to the payload
    bindings = {b.ref: b for b in book.bindings}
    assert bindings[cells[6].coordinate].path == (
        "data",
        "measures",
        0,
        "indicators",
        0,
        "values",
        "2026",
        "actual",
    )


def test_a_table_continued_on_a_new_page_repeats_its_heading_and_header_row():
    header = Row(
        [cell("年度", 80, HEAD), cell("経費の項目", W - 160, HEAD), cell("決算額（千円）", 80, HEAD)]
    )
    rows = [header] + [
        Row(
            [
                cell(f"R{3 + k % 5}", 80),
                cell(f"機器賃借料（庁内ネットワーク第{k + 1}期）", W - 160),
                cell("1,234", 80, NUM),
            ],
            header=header,
        )
        for k in range(120)
    ]
    page = SheetPage(
        title="令和5年度　事務事業マネジメントシート",
        sign_off=None,
        parts=[Part("コストの推移", rows)],
        header=("情報政策課", "088　情報通信ネットワーク運営業務", "令和5年度"),
    )
    book = WorkbookBuilder()
    draw_parts(book, "088", page)
    ws = book.wb["088"]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks  # 120 rows do not fit one page
    values = {c.row: c.value for c in ws["A"] if c.value is not None}
    for b in breaks:
        # the first rows of each new page: the heading marked 「（続き）」, then the header row
        assert values[b + 1] == "コストの推移（続き）" and values[b + 2] == "年度"
    assert sum(v == "年度" for v in values.values()) == len(breaks) + 1
    # every data row is there once, in order
    items = [c.value for c in ws["B"] if isinstance(c.value, str) and c.value.startswith("機器")]
    assert len(items) == 120 and items[0].endswith("第1期）") and items[-1].endswith("第120期）")
