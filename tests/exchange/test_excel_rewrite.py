"""An unchanged open-and-save in Excel still verifies: the package rewritten the way Excel rewrites it
(every text moved to the shared-string table, rows with ``spans`` and ``x14ac:dyDescent`` under
``mc:Ignorable``, attributes in Excel's order, the style sheet with Excel's defaults, the workbook with
``fileVersion`` and its own ``calcPr``) shows the same text in every visible cell and verifies; the same
rewrite with one shared string changed is refused with the place. docs/exchange-format.md lists these
normalisations ("Harmless rewrites that still verify")."""

from __future__ import annotations

import html
import re
from pathlib import Path

import openpyxl

from dxdesk.exchange.errors import ReasonCode
from dxdesk.exchange.submission import verify_submission
from tests.exchange.hostile import MAIN, Package

SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
INLINE = re.compile(
    r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
    re.S,
)


def _shared_strings(p: Package) -> list[str]:
    """Every inline string of every sheet becomes an index into xl/sharedStrings.xml, as Excel saves."""
    strings: dict[str, int] = {}
    count = 0
    for part in [n for n in p.parts if n.startswith("xl/worksheets/sheet")]:
        text = p.text(part)

        def shared(m: re.Match[str]) -> str:
            nonlocal count
            count += 1
            idx = strings.setdefault(m.group(3), len(strings))
            return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{idx}</v></c>'

        p.set(part, INLINE.sub(shared, text))
    items = "".join(
        f'<si><t xml:space="preserve">{s}</t></si>' if s != s.strip() else f"<si><t>{s}</t></si>"
        for s in strings
    )
    p.add_part(
        "xl/sharedStrings.xml",
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="{MAIN}" count="{count}" '
        f'uniqueCount="{len(strings)}">{items}</sst>',
        SST_CT,
    )
    p.add_rel("xl/_rels/workbook.xml.rels", "rId900", SST_REL, "sharedStrings.xml")
    return list(strings)


def _excel_rows_and_attributes(p: Package) -> None:
    """Rows gain ``spans`` and ``x14ac:dyDescent``; the root declares them ignorable (with ``xr:uid``);
    columns and cells carry their attributes in Excel's order."""
    for part in [n for n in p.parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]:
        text = p.text(part)
        text = re.sub(
            r"<worksheet xmlns=\"[^\"]+\"",
            f'<worksheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr" xmlns:x14ac="{X14AC}" '
            f'xmlns:xr="{XR}" xr:uid="{{6F1C0A43-9F2B-4A59-8F3E-1D2C3B4A5968}}"',
            text,
            count=1,
        )

        def row(m: re.Match[str]) -> str:
            cols = [_col(letters) for letters in re.findall(r'<c r="([A-Z]+)\d+"', m.group(3))]
            spans = f' spans="{min(cols)}:{max(cols)}"' if cols else ""
            return f'<row r="{m.group(1)}"{spans}{m.group(2)} x14ac:dyDescent="0.2">{m.group(3)}</row>'

        text = re.sub(r'<row r="(\d+)"([^>/]*)>(.*?)</row>', row, text, flags=re.S)
        # <col width="15" customWidth="1" min="1" max="1" /> → Excel's order
        text = re.sub(
            r'<col width="([^"]+)" customWidth="1" min="(\d+)" max="(\d+)" ?/>',
            r'<col min="\2" max="\3" width="\1" customWidth="1"/>',
            text,
        )
        text = text.replace(" />", "/>")
        p.set(part, text)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _excel_styles_and_workbook(p: Package) -> None:
    """Excel's style sheet defaults: default flags left out, ``<b/>`` for ``<b val="1"/>``, a named
    normal style, empty ``dxfs``, default table styles; the workbook with ``fileVersion``, its own
    ``calcPr`` and window size."""
    styles = p.text("xl/styles.xml")
    styles = re.sub(r' (?:pivotButton|quotePrefix)="0"', "", styles)
    styles = styles.replace('<b val="1" />', "<b/>").replace('<b val="1"/>', "<b/>")
    styles = re.sub(r"<cellStyles[^>]*>.*?</cellStyles>", "", styles, flags=re.S)
    styles = re.sub(r"<dxfs[^>]*/>|<dxfs[^>]*>.*?</dxfs>", "", styles, flags=re.S)
    styles = re.sub(r"<tableStyles[^>]*/>|<tableStyles[^>]*>.*?</tableStyles>", "", styles, flags=re.S)
    styles = styles.replace(
        "</cellXfs>",
        '</cellXfs><cellStyles count="1"><cellStyle name="標準" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
        'defaultPivotStyle="PivotStyleLight16"/>',
        1,
    )
    p.set("xl/styles.xml", styles)
    book = p.text("xl/workbook.xml")
    book = re.sub(
        r"<workbookPr ?/>",
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>'
        '<workbookPr defaultThemeVersion="166925"/>',
        book,
        count=1,
    )
    book = re.sub(r"<calcPr [^>]*/>", '<calcPr calcId="191029"/>', book, count=1)
    book = re.sub(
        r"<workbookView ",
        '<workbookView xWindow="-120" yWindow="-120" windowWidth="29040" windowHeight="15720" ',
        book,
        count=1,
    )
    p.set("xl/workbook.xml", book)


def _excel_save(src: Path, out: Path, change: dict[str, str] | None = None) -> list[str]:
    p = Package(src)
    strings = _shared_strings(p)
    if change:
        sst = p.text("xl/sharedStrings.xml")
        for old, new in change.items():
            assert f"<t>{old}</t>" in sst, old
            sst = sst.replace(f"<t>{old}</t>", f"<t>{new}</t>", 1)
        p.set("xl/sharedStrings.xml", sst)
    _excel_rows_and_attributes(p)
    _excel_styles_and_workbook(p)
    p.write(out)
    return strings


def _shown(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    try:
        return {
            (ws.title, c.coordinate): c.value
            for ws in wb.worksheets
            if ws.sheet_state == "visible"
            for row in ws.iter_rows()
            for c in row
            if c.value not in (None, "")
        }
    finally:
        wb.close()


def test_an_excel_style_save_shows_the_same_and_still_verifies(world, tmp_path):
    out = tmp_path / "R08_S001_excel.xlsx"
    strings = _excel_save(world.submission, out)
    assert len(strings) > 50
    with open(out, "rb") as fh:
        data = fh.read()
    assert b"inlineStr" not in data  # nothing left inline: every text goes through the table
    assert _shown(out) == _shown(world.submission)  # the rewrite is harmless: same text everywhere
    v = verify_submission(out, world.trust)
    assert v.ok, v.message


def test_an_excel_style_save_with_one_label_changed_is_refused_with_its_place(world, tmp_path):
    out = tmp_path / "R08_S001_excel_changed.xlsx"
    label = html.escape("実績", quote=False)
    _excel_save(world.submission, out, {label: "目標"})
    v = verify_submission(out, world.trust)
    assert not v.ok
    assert ReasonCode.EDITED_CELL in v.codes, v.message
    assert "目標" in v.message and "!" in v.message, v.message
