"""The printed sheet and the signed submission workbook of the same sheet say the same thing.

For each of the five sample plans (resources/samples), a section receives its kit, completes its
year and exports its submission; the same database prints its sheets. What a person compares —
labels, years and values — is read from the PDF with pdftotext and from the workbook's cells.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from dxdesk.exchange.submission import export_submission, verify_submission
from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.store.database import open_database
from tests.exchange.conftest import sample_section
from tests.report.conftest import SAMPLES, squeeze

SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.json"))
YEAR = re.compile(r"(?:R|令和)(?:元|\d{1,2})(?:年度)?")
# numbers as a sheet prints them: 1,234 / 12.5 / 240% / 0
NUMBER = re.compile(r"(?<![\d.,])-?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?(?![\d,])")


def _export_and_print(sample: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    """The sample's first section: its kit imported, its year completed, its submission exported and
    its sheets printed. Returns (workbook, pdf, section code)."""
    ss = sample_section(sample, root, monkeypatch, seed="fidelity")
    fy, section, trust, when = ss.fiscal_year, ss.section, ss.trust, ss.when
    db = open_database(ss.db_path)
    try:
        sub = export_submission(db, fy, section, "山田 太郎", "佐藤 一郎", root / "out", now=when)
        pdf = root / "sheets.pdf"
        make_pdf(db, pdf, PrintJob(kind="sheets", fiscal_year=fy, section_code=section))
    finally:
        db.dispose()
    v = verify_submission(sub.path, trust)
    assert v.ok, v.message  # every cell drawn from the printed sheet verifies against the payload
    return sub.path, pdf, section


def _shown(cell: openpyxl.cell.cell.Cell) -> str:
    """A cell's text as Excel shows it (a number through its #,##0 format)."""
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        fmt = cell.number_format
        places = len(fmt.split(".")[1]) if "." in fmt else 0
        return format(Decimal(str(v)), f",.{places}f")
    return str(v)


def _on_sheet(word: str, printed: str) -> bool:
    """``word`` is printed: whole, or in a few pieces in their order — a text that a merged cell
    shares out over the rows of a table is printed row by row, its neighbours' lines between its
    own (a piece may be as short as the end of a line: 「R5」, 「る」)."""
    if word in printed:
        return True
    at, i, pieces = 0, 0, 0
    while i < len(word):
        j = len(word)
        while j > i and (found := printed.find(word[i:j], at)) < 0:
            j -= 1
        pieces += 1
        if j == i or (j - i < 2 and j < len(word)) or pieces > 1 + len(word) // 8:
            return False
        at, i = found + (j - i), j
    return True


def _raw_pages(pdf: Path) -> list[str]:
    """The text of each page in the order it is drawn (pdftotext -raw): a box's lines stay together
    even where a neighbouring box shares their baselines."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")


def _sheet_pages(pages: list[str], code: str, name: str) -> str:
    """The printed text of one measure (its running header names it), without the running header
    and footer (「2 / 4」)."""
    key = squeeze(f"{code}　{name}")
    got = [
        "\n".join(p.split("\n")[2:])
        for p in pages
        if squeeze(p.split("\n", 1)[0]).endswith((key, key + "（続き）"))
    ]
    assert got, f"no printed page of {code}"
    return "\n".join(got)


@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_printed_sheet_and_submission_workbook_show_the_same_labels_years_and_values(
    sample, tmp_path, monkeypatch
):
    book, pdf, _section = _export_and_print(sample, tmp_path, monkeypatch)
    pages = _raw_pages(pdf)
    wb = openpyxl.load_workbook(book)
    measure_sheets = wb.sheetnames[2:-1]
    assert measure_sheets
    for name in measure_sheets:
        ws = wb[name]
        code_name = ws.oddHeader.center.text
        code, _, title = code_name.partition("　")
        printed_lines = _sheet_pages(pages, code, title)
        printed = squeeze(printed_lines)
        cells = [_shown(c) for row in ws.iter_rows() for c in row if c.value is not None]
        # every label, year and value of the workbook is on the printed sheet (a long text: its start)
        for text in cells:
            for word in text.split():  # words: the PDF may put a neighbouring box between two
                # 「（続き）」 marks where a page broke, and pages break in other places in a workbook
                word = word.removesuffix("（続き）") or word
                probe = word if len(word) <= 40 else word[:20]
                assert _on_sheet(probe, printed), (
                    f"{sample} {name}: 「{word[:40]}」 is not on the printed sheet"
                )
        shown = "\n".join(cells)
        # the same fiscal years, and the same numbers (figures, rates, counts, in texts too)
        assert set(YEAR.findall(squeeze(shown))) == set(YEAR.findall(printed)), name
        printed_numbers, shown_numbers = set(NUMBER.findall(printed_lines)), set(NUMBER.findall(shown))
        assert printed_numbers == shown_numbers, (
            f"{sample} {name}: printed only {sorted(printed_numbers - shown_numbers)[:8]}, "
            f"in the workbook only {sorted(shown_numbers - printed_numbers)[:8]}"
        )
        assert len(printed_numbers) > 3
    wb.close()


def _pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", out)]


def _find(ws, text: str) -> openpyxl.cell.cell.Cell:
    got = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(text)]
    assert got, f"{ws.title}: no cell 「{text}」"
    return got[0]


def _rows_merged(ws, cell: openpyxl.cell.cell.Cell) -> int:
    """How many worksheet rows the merged range that starts at ``cell`` covers (1: not merged)."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            return rng.max_row - rng.min_row + 1
    return 1


def _numbers_right_of(ws, cell: openpyxl.cell.cell.Cell) -> list[object]:
    return [
        c.value
        for c in ws[cell.row]
        if c.column > cell.column and isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
    ]


def test_sasebo_kpi_sheet_is_landscape_with_one_merged_box_per_kpi_and_task(tmp_path, monkeypatch):
    book, pdf, _ = _export_and_print("sasebo_execution_plan.json", tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(book)
    ws = wb["観光1-KPI"]
    # the 課題 KPI sheet prints landscape in the PDF, and so does its worksheet; a 取組 sheet does not
    assert any(w > h for w, h in _pdf_page_sizes(pdf)) and any(w < h for w, h in _pdf_page_sizes(pdf))
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert wb["観光2-1-4"].page_setup.orientation == "portrait"
    # 予定 and 実績 of a KPI: two rows, its name one box over both; the 課題 one box over all its KPIs
    kpi = _find(ws, "データを活用した事業立案数")
    assert _rows_merged(ws, kpi) == 2
    assert [c.value for c in ws[kpi.row] if c.value in ("予定", "実績")] == ["予定"]
    assert [c.value for c in ws[kpi.row + 1] if c.value in ("予定", "実績")] == ["実績"]
    task = _find(ws, "データ活用による戦略策定と観光力強化")
    assert _rows_merged(ws, task) == 4 and task.row == kpi.row
    second = _find(ws, "民間事業者へのオープンデータ提示数")
    assert second.row == kpi.row + 2 and _rows_merged(ws, second) == 2
    # the texts beside them: one box each, whole (the PDF shares their lines out over the rows)
    rationale = _find(ws, "事業提案の際には")
    assert _rows_merged(ws, rationale) == 2 and "年8件を目指す" in rationale.value
    # 予定 R5–R9 and 実績 R5–R7 as numbers (bound to the payload: the export verified above)
    assert _numbers_right_of(ws, kpi) == [5, 6, 7, 8, 8]
    assert _numbers_right_of(ws, ws.cell(kpi.row + 1, kpi.column)) == [7, 7, 8]
    wb.close()


def test_nagasaki_verification_part_is_in_the_workbook_as_printed(tmp_path, monkeypatch):
    book, pdf, _ = _export_and_print("nagasaki_group_evaluation.json", tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(book)
    ws = wb["3"]
    printed = squeeze(_sheet_pages(_raw_pages(pdf), "3", "電子県庁推進事業"))
    heading = _find(ws, "3. 実績の検証及び解決すべき課題と解決に向けた方向性")
    assert squeeze(heading.value) in printed
    below = [
        c.value for row in ws.iter_rows(min_row=heading.row + 1) for c in row if isinstance(c.value, str)
    ]
    text = next(v for v in below if v.startswith("○県における電子申請の利用促進"))
    assert "利便性向上などの利点について、情報提供していく必要がある。" in text
    assert squeeze(text)[:60] in printed
    wb.close()


def test_shizuoka_roadmap_grid_has_a_row_per_initiative_and_the_years_of_the_pdf(tmp_path, monkeypatch):
    book, pdf, _ = _export_and_print("shizuoka_action_plan.json", tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(book)
    ws = wb["1-1"]
    head = _find(ws, "取組")
    header = [c.value for c in ws[head.row] if c.value is not None]
    assert header == [
        "取組",
        "効果・KPI",
        "現状\n目標値",
        "R6年度\n（2024）",
        "R7年度\n（2025）",
        "R8年度\n（2026）",
    ]
    printed = squeeze(_sheet_pages(_raw_pages(pdf), "1-1", "行政サービスのオンライン化"))
    for year in ("R6年度（2024）", "R7年度（2025）", "R8年度（2026）"):
        assert year in printed
    # each 取組 starts a row of its own, in the PDF's order, with its tasks under the years
    rows = {
        c.value.split("（")[0]: c.row
        for row in ws.iter_rows(min_row=head.row + 1)
        for c in row[:1]
        if c.value
    }
    assert list(rows) == ["1. 行政手続のオンライン化", "2. 統合データ基盤の活用", "3. ぴったりサービスの活用"]
    first = [c.value for c in ws[rows["2. 統合データ基盤の活用"]] if c.value is not None]
    assert first[-3:] == ["概念設計", "基盤構築", "サービス提供"]
    wb.close()


def test_akita_cost_breakdown_is_two_tables_of_numbers_with_their_totals(tmp_path, monkeypatch):
    book, _pdf, _ = _export_and_print("akita_progress_evaluation.json", tmp_path, monkeypatch)
    wb = openpyxl.load_workbook(book)
    ws = wb["1-1"]
    item = _find(ws, "使用料及び賃借料（電子申請システム）")
    # by item (予算額, 決算額) beside by source (特定財源 国 first), the same row
    assert [c.value for c in ws[item.row] if isinstance(c.value, str)][1:3] == ["特定財源", "国"]
    assert _numbers_right_of(ws, item) == [1073, 1073]
    total = _find(ws, "事業費計")
    assert _numbers_right_of(ws, total) == [1073, 1073, 1073, 1073]  # 事業費計 and 計, face to face
    assert "計" in [c.value for c in ws[total.row]]
    general = _find(ws, "一般財源")
    assert general.row == total.row - 1 and _numbers_right_of(ws, general) == [1073, 1073]
    for label in ("県", "市債", "その他"):
        assert _find(ws, label).row < general.row
    wb.close()
