"""How a sheet prints is signed and compared (dxdesk.exchange.print_setup): a file scaled down to
10 %, fitted onto one page, on another paper or with other margins prints something else than the
所属長 approved; Excel's and LibreOffice's own ways of writing the same settings still verify."""

from __future__ import annotations

import pytest

from dxdesk.exchange import workbook
from dxdesk.exchange.print_setup import effective_print
from dxdesk.exchange.signed import read_signed
from dxdesk.exchange.submission import export_submission, verify_submission
from dxdesk.store.database import open_database
from tests.exchange.conftest import FY

DXDESK = (
    {"orientation": "portrait", "paperSize": "9", "fitToHeight": "0", "fitToWidth": "1"},
    {"fitToPage": "1"},
    {"left": "0.5", "right": "0.5", "top": "0.75", "bottom": "0.7", "header": "0.3", "footer": "0.3"},
    {"horizontalCentered": "1"},
)


def _print(page=None, pr=None, margins=None, options=None):  # type: ignore[no-untyped-def]
    d_page, d_pr, d_margins, d_options = DXDESK
    return effective_print(
        d_page if page is None else page,
        d_pr if pr is None else pr,
        d_margins if margins is None else margins,
        d_options if options is None else options,
    )


@pytest.mark.parametrize(
    ("name", "page", "pr", "margins", "options", "same"),
    [
        # written otherwise, printed alike
        (
            "defaults written out",
            {**DXDESK[0], "scale": "100", "pageOrder": "downThenOver"},
            None,
            None,
            None,
            True,
        ),
        (
            "a scale beside fitting (Excel writes its own)",
            {**DXDESK[0], "scale": "57"},
            None,
            None,
            None,
            True,
        ),
        (
            "width 1 left out (the default)",
            {"orientation": "portrait", "paperSize": "9", "fitToHeight": "0"},
            None,
            None,
            None,
            True,
        ),
        (
            "margins in hundredths of a millimetre",
            None,
            None,
            {**DXDESK[2], "bottom": "0.700000000000001"},
            None,
            True,
        ),
        ("true for 1", None, {"fitToPage": "true"}, None, {"horizontalCentered": "true"}, True),
        (
            "printer resolution",
            {**DXDESK[0], "horizontalDpi": "600", "verticalDpi": "600"},
            None,
            None,
            None,
            True,
        ),
        # printed otherwise
        ("not fitted, at 10 %", {**DXDESK[0], "scale": "10"}, {"fitToPage": "0"}, None, None, False),
        ("fitted onto one page", {**DXDESK[0], "fitToHeight": "1"}, None, None, None, False),
        ("fitted onto two pages wide", {**DXDESK[0], "fitToWidth": "2"}, None, None, None, False),
        ("a post card", {**DXDESK[0], "paperSize": "43"}, None, None, None, False),
        ("landscape", {**DXDESK[0], "orientation": "landscape"}, None, None, None, False),
        ("margins of seven inches", None, None, {**DXDESK[2], "left": "7"}, None, False),
        ("not centred", None, None, None, {}, False),
        ("row and column headings", None, None, None, {**DXDESK[3], "headings": "1"}, False),
        ("grid lines", None, None, None, {**DXDESK[3], "gridLines": "1"}, False),
    ],
)
def test_print_settings_compare_as_they_print(name, page, pr, margins, options, same):
    assert (_print(page, pr, margins, options) == _print()) is same, name


def test_every_sheet_of_a_submission_signs_how_it_prints(world):
    signed = read_signed(world.submission)
    signed.reader.close()
    sheets = signed.payload["layout"]["sheets"]
    assert sheets and all(s["print"]["paper"] == "9" and s["print"]["fit"] == ["1", "0"] for s in sheets)
    assert {s["print"]["orientation"] for s in sheets} <= {"portrait", "landscape"}


def test_every_sheet_signs_its_column_widths_and_row_heights(world):
    signed = read_signed(world.submission)
    signed.reader.close()
    for sheet in signed.payload["layout"]["sheets"]:
        widths, heights = sheet["widths"], sheet["heights"]
        assert widths and all(1 <= first <= last and float(w) > 0 for first, last, w in widths), sheet["name"]
        assert heights and all(row >= 1 and float(h) > 0 for row, h in heights), sheet["name"]
    measure = next(s for s in signed.payload["layout"]["sheets"] if s["name"] == "001-01")
    assert "D13" in measure["wrapped"]  # the measure's 概要, a text of several lines


def test_a_file_whose_print_settings_are_not_signed_still_verifies(copy_world, tmp_path, monkeypatch):
    """Files exported before the page setup, column widths and row heights were signed carry none of
    them: they verify as before."""
    real = workbook.WorkbookBuilder.layout_payload

    def without_print(self):  # type: ignore[no-untyped-def]
        layout = real(self)
        for sheet in layout["sheets"]:
            sheet.pop("print")
            sheet.pop("widths")
            sheet.pop("heights")
            sheet.pop("wrapped")
            sheet.pop("merges")
        return layout

    monkeypatch.setattr(workbook.WorkbookBuilder, "layout_payload", without_print)
    db = open_database(copy_world.section_db)  # (a copy: exporting adds a revision to the database)
    try:
        sub = export_submission(db, FY, "S001", "山田 太郎", "佐藤 一郎", tmp_path / "out")
    finally:
        db.dispose()
    signed = read_signed(sub.path)
    signed.reader.close()
    assert not any(
        {"print", "widths", "heights", "wrapped", "merges"} & set(s)
        for s in signed.payload["layout"]["sheets"]
    )
    v = verify_submission(sub.path, copy_world.trust)
    assert v.ok, v.message
