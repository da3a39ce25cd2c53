"""The printed sheet and the signed submission workbook of the same sheet say the same thing.

For each of the five sample plans (resources/samples), a section receives its kit, completes its
year and exports its submission; the same database prints its sheets. What a person compares —
labels, years and values — is read from the PDF with pdftotext and from the workbook's cells.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from dxdesk.exchange import certificates
from dxdesk.exchange.authority import load_trust
from dxdesk.exchange.demo import complete_for_submission
from dxdesk.exchange.kit import issue_kits
from dxdesk.exchange.kit_import import import_kit
from dxdesk.exchange.submission import export_submission, verify_submission
from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.store.database import open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.settings_store import set_setting
from tests.report.conftest import SAMPLES, squeeze

SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.json"))
YEAR = re.compile(r"(?:R|令和)(?:元|\d{1,2})(?:年度)?")
# numbers as a sheet prints them: 1,234 / 12.5 / 240% / 0
NUMBER = re.compile(r"(?<![\d.,])-?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?(?![\d,])")


def _export_and_print(sample: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    """The sample's first section: its kit imported, its year completed, its submission exported and
    its sheets printed. Returns (workbook, pdf, section code)."""
    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    # the charts' axes print numbers of their own; a signed workbook draws no charts
    data["plan"].setdefault("settings", {})["charts"] = False
    section = data["measures"][0]["owner"]
    central = open_database(root / "central.sqlite")
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, data)
            set_setting(s, "role", "central")
            set_setting(s, "plan_code", plan.code)
            fy = plan.current_fy
        # issued in the sample's own year (a kit for a year long past could not be issued today)
        when = dt.datetime(fy, 6, 1, tzinfo=dt.UTC)
        monkeypatch.setattr(certificates, "_now", lambda: when)
        batch = issue_kits(central, fy, root / "kits", slips=False, now=when)
        kit = next(k for k in batch.kits if k.section_code == section)
        with central.session() as s:
            trust = load_trust(s)
    finally:
        central.dispose()
    r = import_kit(kit.path, kit.passphrase, root / "data", db_path=root / "section.sqlite")
    db = open_database(r.db_path)
    try:
        with db.session(user="テスト") as s:
            complete_for_submission(s, fy, section, seed="fidelity")
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
