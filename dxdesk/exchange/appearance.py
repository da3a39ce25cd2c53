"""What a person reads: the whole package of a signed workbook checked against what dxdesk wrote.

The payload signs the data; this module makes sure the *visible* workbook says the same. It is an
allowlist over the package, not a list of known tricks (docs/exchange-format.md, "What you see is what
was signed"):

- the zip holds only the parts dxdesk, Excel or LibreOffice write for such a workbook, each once, with
  no macro, ActiveX, OLE, drawing, comment, external link or custom part; the relationships point only
  at those parts;
- the workbook's sheets are exactly the signed ones, in the signed order, visible (the payload sheet
  hidden); defined names are only the print titles dxdesk sets;
- no cell of any sheet has a formula; every cell with content is a cell dxdesk bound, and shows — its
  value rendered through its number format — exactly the signed text;
- a cell with content is not hidden: not in a hidden or near-zero row or column, not covered by a
  merge, not in a font of less than 6 pt or of the colour of its background, not given phonetic text;
- sheets carry no conditional formats, data validations, hyperlinks, drawings, comments, tables or
  other elements beyond the layout ones, and their header, footer and print titles are the signed ones.

The sheet XML is parsed here directly (the same parts the reader has checked for size and DTDs): no
grid is allocated from what the file claims, so a sheet naming ``XFD1048576`` costs nothing.
"""

from __future__ import annotations

import functools
import math
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from xml.etree.ElementTree import XML, Element, ParseError

from dxdesk.exchange.colours import (
    MIN_CONTRAST,
    OFFICE,
    SCHEME,
    Palette,
    contrast,
    hex_colour,
    is_symbol_font,
    resolve,
    theme_palette,
    with_indexed,
)
from dxdesk.exchange.errors import ReasonCode, UnreadableWorkbook
from dxdesk.exchange.limits import Limits
from dxdesk.exchange.print_setup import LABELS as PRINT_LABELS
from dxdesk.exchange.print_setup import effective_print
from dxdesk.exchange.reader import (
    XlsxReader,
    check_sheet_refs,
    column_index,
    column_letters,
    split_ref,
    too_large_range,
    unescape_excel,
)
from dxdesk.exchange.sheet_grammar import SplitSheet, row_attributes, split_sheet, text_of

__all__ = [
    "LAYOUT_VERSION",
    "Finding",
    "Package",
    "SheetScan",
    "check_package",
    "normalise_header",
    "render_number",
    "scan_package",
]

LAYOUT_VERSION = 2
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAX_LISTED = 3
# a column's width as signed may shrink to this share of it (a reader that keeps widths in its own
# units rounds them; a narrower column shows a figure as ###)
NARROWEST = 0.9
DEFAULT_COL_WIDTH = 8.43  # Excel's, in characters, where a sheet sets none

# --- the allowlist of parts ------------------------------------------------------------------------
_PARTS = re.compile(
    r"^(?:\[Content_Types\]\.xml|_rels/\.rels|docProps/(?:app|core|custom)\.xml"
    r"|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|xl/styles\.xml|xl/sharedStrings\.xml"
    r"|xl/theme/theme\d{1,3}\.xml|xl/worksheets/sheet\d{1,4}\.xml|xl/worksheets/_rels/sheet\d{1,4}\.xml\.rels"
    r"|xl/printerSettings/printerSettings\d{1,4}\.bin"
    r"|customXml/item\d{1,3}\.xml|customXml/itemProps\d{1,3}\.xml|customXml/_rels/item\d{1,3}\.xml\.rels)$"
)
_ACTIVE_PART = re.compile(
    r"vba|macro|activex|embeddings|oleobject|drawings|comments|threadedcomment|persons|externallink"
    r"|media|ctrlprops|connections|querytable|pivot|tables/|chart|webextension|calcchain|metadata",
    re.IGNORECASE,
)
_CT = "application/vnd.openxmlformats-"
_CONTENT_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-package.relationships+xml",
        "application/xml",
        "text/xml",
        "application/vnd.openxmlformats-package.core-properties+xml",
        _CT + "officedocument.extended-properties+xml",
        _CT + "officedocument.custom-properties+xml",
        _CT + "officedocument.spreadsheetml.sheet.main+xml",
        _CT + "officedocument.spreadsheetml.worksheet+xml",
        _CT + "officedocument.spreadsheetml.styles+xml",
        _CT + "officedocument.spreadsheetml.sharedstrings+xml",
        _CT + "officedocument.theme+xml",
        _CT + "officedocument.spreadsheetml.printersettings",
        _CT + "officedocument.customxmlproperties+xml",
    }
)
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_ROOT_RELS = frozenset(
    {
        _REL_TYPE + "officeDocument",
        _REL_TYPE + "extended-properties",
        _REL_TYPE + "custom-properties",
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        _REL_TYPE + "customXml",
    }
)
_BOOK_RELS = frozenset(
    {_REL_TYPE + t for t in ("worksheet", "styles", "sharedStrings", "theme", "customXml")}
)
_SHEET_RELS = frozenset({_REL_TYPE + "printerSettings"})
# child elements of <worksheet> that only lay out or print what the cells hold
_SHEET_ELEMENTS = frozenset(
    {
        "sheetPr",
        "dimension",
        "sheetViews",
        "sheetFormatPr",
        "cols",
        "sheetData",
        "sheetProtection",
        "mergeCells",
        "phoneticPr",
        "printOptions",
        "pageMargins",
        "pageSetup",
        "headerFooter",
        "rowBreaks",
        "colBreaks",
        "ignoredErrors",
    }
)
_ACTIVE_ELEMENTS = frozenset(
    {"hyperlinks", "drawing", "legacyDrawing", "legacyDrawingHF", "oleObjects", "controls", "picture"}
)
_WORKBOOK_ELEMENTS = frozenset(
    {
        "fileVersion",
        "fileSharing",
        "workbookPr",
        "workbookProtection",
        "bookViews",
        "sheets",
        "definedNames",
        "calcPr",
        "fileRecoveryPr",
        "AlternateContent",
        "revisionPtr",
        "absPath",
        "extLst",
    }
)
_ELEMENT_NAMES = {
    "conditionalFormatting": "条件付き書式",
    "dataValidations": "入力規則",
    "hyperlinks": "ハイパーリンク",
    "drawing": "図形・画像",
    "legacyDrawing": "コメント（メモ）",
    "legacyDrawingHF": "ヘッダーの画像",
    "oleObjects": "埋め込みオブジェクト（OLE）",
    "controls": "コントロール（ActiveX）",
    "picture": "背景画像",
    "tableParts": "テーブル",
    "autoFilter": "フィルター",
    "customSheetViews": "ユーザー設定のビュー",
    "extLst": "拡張データ（条件付き書式・入力規則など）",
}

# --- number formats -------------------------------------------------------------------------------
_BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 49: "@"}
_SIMPLE_FORMAT = re.compile(r"^(#,##0|0)(?:\.(0+))?$")
_HEADER_CODES = re.compile(r'&"[^"]*"|&\d+ ?|&K[0-9A-Fa-f]{6}|&K\d\d[+-]\d{3}|&[BIUESXYO]')


_HEADER_FORMAT = re.compile(r'&"([^"]*)"|&(\d+) ?|&K([0-9A-Fa-f]{6})|&K(\d\d)([+-]\d{3})|&([SXY])')


def header_problem(text: str, palette: Palette) -> str | None:
    """How the codes of a header or footer text hide it (they are left out of the comparison with the
    signed texts, since LibreOffice writes its own): a symbol font, a size below 6 pt, a colour that
    does not stand out from the paper, struck through, super- or subscript; None if they do not."""
    for m in _HEADER_FORMAT.finditer(text.replace("&&", "")):
        font, size, rgb, theme, tint, mark = m.groups()
        if font is not None and is_symbol_font(font.split(",")[0]):
            return f"記号のフォント（{font.split(',')[0][:30]}）"
        if size is not None and int(size) < 6:
            return f"小さすぎる文字（{int(size)}pt）"
        colour = rgb.upper() if rgb else None
        if theme is not None:
            colour = resolve(
                Element("color", {"theme": str(int(theme)), "tint": str(int(tint) / 100)}), palette
            )
            if colour is None:
                return "読み取れない色"
        if colour is not None and contrast(colour, "FFFFFF") < MIN_CONTRAST:
            return f"見えない色（#{colour}）"
        if mark == "S":
            return "取り消し線付きの文字"
        if mark in ("X", "Y"):
            return "上付き・下付きの小さな文字"
    return None


def _check_header_texts(pkg: Package, name: str, header: str, footer: str) -> None:
    for which, text in (("ヘッダー", header), ("フッター", footer)):
        problem = header_problem(text, pkg.palette)
        if problem:
            pkg.problem(ReasonCode.APPEARANCE, f"シート「{name[:31]}」の{which}が{problem}で書かれています")


def render_number(value: Decimal, fmt: str) -> str | None:
    """The text Excel shows for ``value`` in number format ``fmt``, for the formats dxdesk writes
    (``0``, ``#,##0`` with or without decimals) and ``General``; None for any other format."""
    if not value.is_finite():
        return None
    if value != 0:  # a double holds 15 significant digits: round there first, as Excel does
        value = Decimal(f"{value:.15g}") if value.adjusted() < 15 else value
    if fmt == "General":
        text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text if len(text.lstrip("-")) <= 11 else None
    m = _SIMPLE_FORMAT.match(fmt)
    if m is None:
        return None
    places = len(m.group(2) or "")
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    return format(q, ",f" if m.group(1) == "#,##0" else "f")


def normalise_header(text: str) -> list[str]:
    """A header or footer as its left, centre and right texts, without font, size and colour codes
    (LibreOffice writes the same header with other codes)."""
    parts = {"L": "", "C": "", "R": ""}
    current = "C"
    i = 0
    out: list[str] = []
    text = _HEADER_CODES.sub("", text.replace("&&", "\x00"))
    while i < len(text):
        ch = text[i]
        if ch == "&" and i + 1 < len(text) and text[i + 1] in "LCR":
            parts[current] += "".join(out)
            out = []
            current = text[i + 1]
            i += 2
            continue
        out.append(ch)
        i += 1
    parts[current] += "".join(out)
    return [parts[k].replace("\x00", "&&").strip() for k in "LCR"]


# --- the scan -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ScanCell:
    t: str  # n (number), s (text), b, e, d, f (has a formula)
    text: str  # the value: number as XML text, text as shown
    style: int
    phonetic: bool = False
    rich: bool = False  # a text with a run whose font hides it


@dataclass
class SheetScan:
    name: str
    cells: dict[str, ScanCell] = field(default_factory=dict)
    formulas: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)
    rows_hidden_by_default: bool = False
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    show_zeros: bool = True
    header: list[str] = field(default_factory=lambda: ["", "", ""])
    footer: list[str] = field(default_factory=lambda: ["", "", ""])
    other_rels: list[str] = field(default_factory=list)
    col_widths: list[tuple[int, int, float]] = field(default_factory=list)  # <col> min, max, width
    default_col_width: float = DEFAULT_COL_WIDTH
    row_heights: dict[int, float] = field(default_factory=dict)  # rows with a height of their own
    default_row_height: float = 15.0
    # the attributes of <pageSetup>, <sheetPr><pageSetUpPr>, <pageMargins>, <printOptions>
    page_setup: dict[str, str] = field(default_factory=dict)
    page_setup_pr: dict[str, str] = field(default_factory=dict)
    margins: dict[str, str] = field(default_factory=dict)
    print_options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Font:
    size: float
    color: str | None  # RRGGBB as shown (automatic: black); None where it cannot be told
    name: str = ""
    marked: str = ""  # what the font does to a text besides its size and colour (struck through, raised)


@dataclass
class Package:
    problems: list[tuple[str, str]] = field(default_factory=list)  # (reason code, message)
    sheets: list[tuple[str, str, str]] = field(default_factory=list)  # (name, state, part)
    defined_names: list[tuple[str, int | None, str]] = field(default_factory=list)
    formats: dict[int, str] = field(default_factory=dict)
    xfs: list[tuple[int, int, int]] = field(default_factory=list)  # numFmtId, fontId, fillId
    # cell format → how its alignment or border garbles text; the cell formats that wrap their text
    aligned: dict[int, str] = field(default_factory=dict)
    wraps: set[int] = field(default_factory=set)
    fonts: list[Font] = field(default_factory=list)
    fills: list[str | None] = field(default_factory=list)  # background colour of a solid fill
    patterns: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # fill → its two colours
    strings: list[tuple[str, bool]] = field(default_factory=list)  # (text, rich and hiding)
    scans: dict[str, SheetScan] = field(default_factory=dict)
    book_hidden: bool = False
    palette: Palette = OFFICE  # what theme and indexed colours stand for in this workbook
    raised: int = 0  # problems reported, repeats included
    _text_ok: dict[int, bool] = field(default_factory=dict)

    def text_format_ok(self, style: int) -> bool:
        """The style's number format shows a text as it is (cached per style)."""
        ok = self._text_ok.get(style)
        if ok is None:
            fmt = _format_of(self, style)
            ok = fmt in ("General", "@") or _SIMPLE_FORMAT.match(fmt) is not None
            self._text_ok[style] = ok
        return ok

    def problem(self, code: str, message: str) -> None:
        self.raised += 1
        if (code, message) not in self.problems:
            self.problems.append((code, message))


UNKNOWN = "?"  # a solid fill whose colour cannot be told


_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STRING_PARTS = frozenset({MAIN + "t", MAIN + "r", MAIN + "rPh", MAIN + "phoneticPr"})
_RUN_PARTS = frozenset({MAIN + "t", MAIN + "rPr"})


def _check_string_shape(si: Element) -> None:
    """A string item holds texts, runs and phonetic runs only, each once where it must be (another
    reader would show other text for anything else)."""
    n_t = 0
    for part in si:
        if part.tag not in _STRING_PARTS:
            raise _Malformed(part.tag.rsplit("}", 1)[-1])
        if part.tag == MAIN + "t":
            n_t += 1
            if len(part) or not set(part.attrib) <= {_XML_SPACE}:
                raise _Malformed("t")
        elif part.tag == MAIN + "r":
            if (
                not all(x.tag in _RUN_PARTS for x in part)
                or len(part.findall(MAIN + "t")) != 1
                or part.attrib
            ):
                raise _Malformed("r")
            rt = part.find(MAIN + "t")
            if rt is not None and (len(rt) or not set(rt.attrib) <= {_XML_SPACE}):
                raise _Malformed("t")
    if n_t > 1:
        raise _Malformed("t")


def _text_of(si: Element, palette: Palette = OFFICE) -> tuple[str, bool]:
    """A string item as shown (phonetic runs left out) and whether a run's font hides or garbles it
    (tiny, near white, a symbol font, raised or lowered, struck through)."""
    _check_string_shape(si)
    t = si.find(MAIN + "t")
    if t is not None and si.find(MAIN + "r") is None:
        return unescape_excel(t.text or ""), False
    parts: list[str] = []
    hiding = False
    for r in si.findall(MAIN + "r"):
        rt = r.find(MAIN + "t")
        parts.append(rt.text or "" if rt is not None else "")
        rpr = r.find(MAIN + "rPr")
        if rpr is not None and (rt is not None and (rt.text or "").strip()):
            sz = rpr.find(MAIN + "sz")
            try:
                if sz is not None and not float(sz.get("val") or "11") >= 6:  # (NaN is no size)
                    hiding = True
            except ValueError:
                hiding = True
            colour = resolve(rpr.find(MAIN + "color"), palette, missing="000000")
            face = rpr.find(MAIN + "rFont")
            strike = rpr.find(MAIN + "strike")
            if (
                colour is None  # written so that it cannot be told
                or contrast(colour, "FFFFFF") < MIN_CONTRAST
                or rpr.find(MAIN + "vertAlign") is not None
                or (strike is not None and strike.get("val") not in ("0", "false"))
                or (face is not None and is_symbol_font(face.get("val")))
            ):
                hiding = True
    if t is not None:
        parts.insert(0, t.text or "")
    return unescape_excel("".join(parts)), hiding


class _Malformed(Exception):
    """A value no writer produces (a number attribute that is not a number, an unknown keyword)."""


def _int(text: str | None, default: int = 0) -> int:
    if text is None:
        return default
    if text.isdigit() and text.isascii():
        return int(text)
    if text[:1] == "-" and text[1:].isdigit() and text.isascii():
        return int(text)
    raise _Malformed(text)


_ALIGN = {
    "horizontal": frozenset(
        {"general", "left", "center", "right", "fill", "justify", "centerContinuous", "distributed"}
    ),
    "vertical": frozenset({"top", "center", "bottom", "justify", "distributed"}),
}
# styles.xml: every element a writer of this workbook uses, with the attributes it may carry (None: any)
_V = frozenset({"val"})
_COLOUR = frozenset({"rgb", "theme", "tint", "indexed", "auto"})
_STYLE_ELEMENTS: dict[str, frozenset[str] | None] = {
    "styleSheet": None,
    "numFmts": frozenset({"count"}),
    "numFmt": frozenset({"numFmtId", "formatCode"}),
    "fonts": frozenset({"count", "{http://schemas.openxmlformats.org/markup-compatibility/2006}Ignorable"}),
    "font": frozenset(),
    "b": _V,
    "i": _V,
    "strike": _V,
    "condense": _V,
    "extend": _V,
    "outline": _V,
    "shadow": _V,
    "u": _V,
    "vertAlign": _V,
    "sz": _V,
    "name": _V,
    "family": _V,
    "charset": _V,
    "scheme": _V,
    "color": _COLOUR,
    "fgColor": _COLOUR,
    "bgColor": _COLOUR,
    "fills": frozenset({"count"}),
    "fill": frozenset(),
    "patternFill": frozenset({"patternType"}),
    "gradientFill": None,
    "stop": None,
    "borders": frozenset({"count"}),
    "border": frozenset({"diagonalUp", "diagonalDown", "outline"}),
    "left": frozenset({"style"}),
    "right": frozenset({"style"}),
    "top": frozenset({"style"}),
    "bottom": frozenset({"style"}),
    "diagonal": frozenset({"style"}),
    "start": frozenset({"style"}),
    "end": frozenset({"style"}),
    "vertical": frozenset({"style"}),
    "horizontal": frozenset({"style"}),
    "cellStyleXfs": frozenset({"count"}),
    "cellXfs": frozenset({"count"}),
    "xf": frozenset(
        {
            "numFmtId",
            "fontId",
            "fillId",
            "borderId",
            "xfId",
            "quotePrefix",
            "pivotButton",
            "applyNumberFormat",
            "applyFont",
            "applyFill",
            "applyBorder",
            "applyAlignment",
            "applyProtection",
        }
    ),
    "alignment": frozenset(
        {
            "horizontal",
            "vertical",
            "textRotation",
            "wrapText",
            "indent",
            "relativeIndent",
            "justifyLastLine",
            "shrinkToFit",
            "readingOrder",
        }
    ),
    "protection": frozenset({"locked", "hidden"}),
    "cellStyles": None,
    "cellStyle": None,
    "dxfs": None,
    "dxf": None,
    "tableStyles": None,
    "tableStyle": None,
    "tableStyleElement": None,
    # the legacy palette the style sheet may redefine: it colours every ``indexed`` reference
    "colors": frozenset(),
    "indexedColors": frozenset(),
    "rgbColor": frozenset({"rgb"}),
    "mruColors": frozenset(),
    "extLst": None,
    "ext": None,
}


def _check_styles_shape(root: Element) -> None:
    """Every element of styles.xml is one a writer produces, with attributes it may carry (a renamed
    element or attribute is a damaged file, which Excel would have to repair)."""
    skip: set[int] = set()
    for el in root.iter():
        if id(el) in skip:
            continue
        if not el.tag.startswith(MAIN):
            for sub in el.iter():
                skip.add(id(sub))
            continue
        local = el.tag[len(MAIN) :]
        if local not in _STYLE_ELEMENTS:
            raise _Malformed(local)
        allowed = _STYLE_ELEMENTS[local]
        if local in ("extLst", "dxfs", "tableStyles", "cellStyles"):
            for sub in el.iter():
                skip.add(id(sub))
        if allowed is not None and not set(el.attrib) <= allowed:
            raise _Malformed(next(iter(set(el.attrib) - allowed)).rsplit("}", 1)[-1])
        if el.attrib:
            _check_values(el)
        rgb = el.get("rgb")
        if rgb is not None and not _HEX_COLOUR.match(rgb):
            raise _Malformed(rgb)


# sheet elements whose attributes decide what is shown: only the attributes writers use
_SHEET_ATTRS_OF: dict[str, frozenset[str]] = {
    "sheetFormatPr": frozenset(
        {
            "baseColWidth",
            "defaultColWidth",
            "defaultRowHeight",
            "customHeight",
            "zeroHeight",
            "thickTop",
            "thickBottom",
            "outlineLevelRow",
            "outlineLevelCol",
            "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac}dyDescent",
        }
    ),
    "row": frozenset(
        {
            "r",
            "spans",
            "s",
            "customFormat",
            "ht",
            "hidden",
            "customHeight",
            "outlineLevel",
            "collapsed",
            "thickTop",
            "thickBot",
            "ph",
            "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac}dyDescent",
        }
    ),
    "c": frozenset({"r", "s", "t", "cm", "vm", "ph"}),
    "col": frozenset(
        {
            "min",
            "max",
            "width",
            "style",
            "hidden",
            "bestFit",
            "customWidth",
            "phonetic",
            "outlineLevel",
            "collapsed",
        }
    ),
    "sheetView": frozenset(
        {
            "windowProtection",
            "showFormulas",
            "showGridLines",
            "showRowColHeaders",
            "showZeros",
            "rightToLeft",
            "tabSelected",
            "showRuler",
            "showOutlineSymbols",
            "defaultGridColor",
            "showWhiteSpace",
            "view",
            "topLeftCell",
            "colorId",
            "zoomScale",
            "zoomScaleNormal",
            "zoomScaleSheetLayoutView",
            "zoomScalePageLayoutView",
            "workbookViewId",
        }
    ),
}


_R_ID = REL_NS + "id"
_ANY: frozenset[str] = frozenset({"*"})
# every element of workbook.xml and of a sheet outside its cells, with the attributes writers use
_LAYOUT_ELEMENTS: dict[str, frozenset[str]] = {
    # workbook.xml
    "workbook": _ANY,
    "fileVersion": frozenset({"appName", "lastEdited", "lowestEdited", "rupBuild", "codeName"}),
    "fileSharing": _ANY,
    "workbookPr": frozenset(
        {
            "date1904",
            "showObjects",
            "showBorderUnselectedTables",
            "filterPrivacy",
            "promptedSolutions",
            "showInkAnnotation",
            "backupFile",
            "saveExternalLinkValues",
            "updateLinks",
            "codeName",
            "hidePivotFieldList",
            "showPivotChartFilter",
            "allowRefreshQuery",
            "publishItems",
            "checkCompatibility",
            "autoCompressPictures",
            "refreshAllConnections",
            "defaultThemeVersion",
        }
    ),
    "workbookProtection": _ANY,
    "bookViews": frozenset(),
    "workbookView": frozenset(
        {
            "visibility",
            "minimized",
            "showHorizontalScroll",
            "showVerticalScroll",
            "showSheetTabs",
            "xWindow",
            "yWindow",
            "windowWidth",
            "windowHeight",
            "tabRatio",
            "firstSheet",
            "activeTab",
            "autoFilterDateGrouping",
        }
    ),
    "sheets": frozenset(),
    "sheet": frozenset({"name", "sheetId", "state", _R_ID}),
    "definedNames": frozenset(),
    "definedName": frozenset(
        {
            "name",
            "comment",
            "customMenu",
            "description",
            "help",
            "statusBar",
            "localSheetId",
            "hidden",
            "function",
            "vbProcedure",
            "xlm",
            "functionGroupId",
            "shortcutKey",
            "publishToServer",
            "workbookParameter",
        }
    ),
    "calcPr": _ANY,
    "fileRecoveryPr": _ANY,
    "AlternateContent": _ANY,
    "Choice": _ANY,
    "absPath": _ANY,
    "revisionPtr": _ANY,
    "extLst": _ANY,
    "ext": _ANY,
    # sheets, outside sheetData
    "worksheet": _ANY,
    "sheetPr": frozenset(
        {
            "syncHorizontal",
            "syncVertical",
            "syncRef",
            "transitionEvaluation",
            "transitionEntry",
            "published",
            "codeName",
            "filterMode",
            "enableFormatConditionsCalculation",
        }
    ),
    "tabColor": _COLOUR,
    "outlinePr": frozenset({"applyStyles", "summaryBelow", "summaryRight", "showOutlineSymbols"}),
    "pageSetUpPr": frozenset({"autoPageBreaks", "fitToPage"}),
    "dimension": frozenset({"ref"}),
    "sheetViews": frozenset(),
    "sheetView": _SHEET_ATTRS_OF["sheetView"],
    "pane": frozenset({"xSplit", "ySplit", "topLeftCell", "activePane", "state"}),
    "selection": frozenset({"pane", "activeCell", "activeCellId", "sqref"}),
    "sheetFormatPr": _SHEET_ATTRS_OF["sheetFormatPr"],
    "cols": frozenset(),
    "col": _SHEET_ATTRS_OF["col"],
    "sheetData": frozenset(),
    "sheetProtection": _ANY,
    "mergeCells": frozenset({"count"}),
    "mergeCell": frozenset({"ref"}),
    "phoneticPr": frozenset({"fontId", "type", "alignment"}),
    "printOptions": frozenset(
        {"horizontalCentered", "verticalCentered", "headings", "gridLines", "gridLinesSet"}
    ),
    "pageMargins": frozenset({"left", "right", "top", "bottom", "header", "footer"}),
    "pageSetup": frozenset(
        {
            "paperSize",
            "paperHeight",
            "paperWidth",
            "scale",
            "firstPageNumber",
            "fitToWidth",
            "fitToHeight",
            "pageOrder",
            "orientation",
            "usePrinterDefaults",
            "blackAndWhite",
            "draft",
            "cellComments",
            "useFirstPageNumber",
            "errors",
            "horizontalDpi",
            "verticalDpi",
            "copies",
            _R_ID,
        }
    ),
    "headerFooter": frozenset({"differentOddEven", "differentFirst", "scaleWithDoc", "alignWithMargins"}),
    "oddHeader": frozenset(),
    "oddFooter": frozenset(),
    "evenHeader": frozenset(),
    "evenFooter": frozenset(),
    "firstHeader": frozenset(),
    "firstFooter": frozenset(),
    "rowBreaks": frozenset({"count", "manualBreakCount"}),
    "colBreaks": frozenset({"count", "manualBreakCount"}),
    "brk": frozenset({"id", "min", "max", "man", "pt"}),
    "ignoredErrors": _ANY,
    "ignoredError": _ANY,
}
_HEX_COLOUR = re.compile(r"^[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?$")


# Verdicts of elements already checked, by tag and attributes (a pure function of both: the same
# column, margin or merge recurs in every sheet and every file of a merge). Only passing verdicts are
# kept; the table is emptied when it grows large.
_VERDICTS: dict[object, bool] = {}
_ROWS_OK: set[tuple[tuple[str, str], ...]] = set()
_REMEMBERED = 50_000


def _check_layout_tree(root: Element, *, skip: str | None = None) -> None:
    """Every element (but the subtree ``skip``, checked elsewhere) is one writers use, with their
    attributes and typed values: a renamed element or attribute is a damaged file."""
    stack = [root]
    verdicts = _VERDICTS
    while stack:
        el = stack.pop()
        tag = el.tag
        if skip is not None and tag.rsplit("}", 1)[-1] == skip:
            continue
        attrib = el.attrib
        key = (tag, tuple(attrib.items())) if attrib else tag
        walk = verdicts.get(key)
        if walk is None:
            walk = _element_verdict(el, tag)
            if len(verdicts) >= _REMEMBERED:
                verdicts.clear()
            verdicts[key] = walk
        if walk:
            stack.extend(el)


def _element_verdict(el: Element, tag: str) -> bool:
    """Raise :class:`_Malformed` for an element no writer produces; else whether its children are to
    be walked (not those of an element reported by name elsewhere, or checked as a whole)."""
    local = tag.rsplit("}", 1)[-1]
    allowed = _LAYOUT_ELEMENTS.get(local)
    if allowed is None:
        if (
            local in _ELEMENT_NAMES
            or local in _ACTIVE_ELEMENTS
            or local
            in (
                "externalReferences",
                "externalReference",
                "conditionalFormatting",
                "dataValidations",
            )
        ):
            return False  # reported by name elsewhere
        if tag.startswith(MAIN) or tag.startswith("{http://purl.oclc.org"):
            raise _Malformed(local)
        return False  # another namespace (mc:, x14:…): reported by its parent's allowlist
    if local in ("extLst", "AlternateContent", "sheetProtection", "calcPr", "ignoredErrors"):
        if local in ("calcPr", "sheetProtection") and el.attrib:
            _check_values(el)  # any attribute, but typed values of their type
        return False
    if allowed is not _ANY and not allowed.issuperset(el.attrib):
        raise _Malformed(next(iter(set(el.attrib) - allowed)).rsplit("}", 1)[-1])
    if el.attrib:
        _check_values(el)
        rgb = el.get("rgb")
        if rgb is not None and not _HEX_COLOUR.match(rgb):
            raise _Malformed(rgb)
    return True


def _check_attrs(el: Element, local: str) -> None:
    _check_values(el)
    allowed = _SHEET_ATTRS_OF.get(local)
    if allowed is not None and not allowed.issuperset(el.attrib):
        raise _Malformed(next(iter(set(el.attrib) - allowed)).rsplit("}", 1)[-1])


_REL_ATTRS = frozenset({"Id", "Type", "Target", "TargetMode"})
_SHEET_ATTRS = frozenset({"name", "sheetId", "state", REL_NS + "id"})
_STATES = frozenset({"visible", "hidden", "veryHidden"})


def _check_relationships(pkg: Package, part: str, root: Element) -> None:
    ids: set[str] = set()
    for rel in root:
        rid = rel.get("Id")
        if (
            set(rel.attrib) - _REL_ATTRS
            or not rid
            or not rel.get("Type")
            or rel.get("Target") is None
            or rid in ids
        ):
            pkg.problem(ReasonCode.CORRUPT, f"ファイルが壊れています（{part} の参照が正しくありません）")
            return
        ids.add(rid)


def _true(text: str | None) -> bool:
    return text in ("1", "true")


def _rels(pkg: Package, reader: XlsxReader, rels_part: str, base: str) -> list[tuple[str, str, str]]:
    """(type, target part, target mode) of a relationships part."""
    out: list[tuple[str, str, str]] = []
    if not reader.has(rels_part):
        return out
    root = reader.xml(rels_part)
    _check_relationships(pkg, rels_part, root)
    for rel in root:
        target = rel.get("Target") or ""
        mode = rel.get("TargetMode") or ""
        if mode == "External":
            part = target
        elif target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join(base, target))
        out.append((rel.get("Type") or "", part, mode))
    return out


def scan_package(reader: XlsxReader) -> Package:
    """See :func:`_scan_package`; a value no writer produces makes the file damaged."""
    try:
        return _scan_package(reader)
    except _Malformed as exc:
        raise UnreadableWorkbook(
            ReasonCode.CORRUPT, f"ファイルが壊れています（正しくない値「{str(exc)[:20]}」があります）"
        ) from exc


def _scan_package(reader: XlsxReader) -> Package:
    """Parse the parts that decide what a person sees. Raises :class:`UnreadableWorkbook` for a file
    that cannot be read at all; everything else is a problem in :attr:`Package.problems`."""
    pkg = Package()
    names = list(reader.names())
    for name in names:
        if _PARTS.match(name) is None:
            if _ACTIVE_PART.search(name):
                pkg.problem(ReasonCode.ACTIVE_CONTENT, _active_part_message(name))
            else:
                pkg.problem(ReasonCode.APPEARANCE, f"署名されていない構成要素「{name[:60]}」があります")
    if reader.has("[Content_Types].xml"):
        types = reader.xml("[Content_Types].xml")
        for el in types:
            attrs = set(el.attrib)
            if el.tag == CT_NS + "Default":
                ok = attrs == {"Extension", "ContentType"}
            elif el.tag == CT_NS + "Override":
                ok = attrs == {"PartName", "ContentType"}
            else:
                ok = False
            if not ok:
                raise _Malformed(el.tag.rsplit("}", 1)[-1])
        defaults = {(el.get("Extension") or "").lower() for el in types if el.tag == CT_NS + "Default"}
        overrides = {(el.get("PartName") or "").lstrip("/") for el in types if el.tag == CT_NS + "Override"}
        have = set(names)
        for part in sorted(overrides - have):
            pkg.problem(ReasonCode.CORRUPT, f"ファイルが壊れています（「{part[:40]}」がありません）")
        for part in names:
            if (
                part != "[Content_Types].xml"
                and part not in overrides
                and part.rsplit(".", 1)[-1].lower() not in defaults
            ):
                pkg.problem(
                    ReasonCode.CORRUPT, f"ファイルが壊れています（「{part[:40]}」の種類がわかりません）"
                )
        for el in types:
            ct = (el.get("ContentType") or "").lower()
            tag = el.tag.rsplit("}", 1)[-1]
            if "macro" in ct or "vba" in ct or "activex" in ct or "oleobject" in ct:
                pkg.problem(
                    ReasonCode.ACTIVE_CONTENT,
                    "マクロを含むブックです（マクロ付きのファイルは受け付けません）",
                )
            elif tag == "Override" and ct not in _CONTENT_TYPES:
                pkg.problem(ReasonCode.APPEARANCE, f"署名されていない種類の構成要素（{ct[:60]}）があります")
    for rtype, part, mode in _rels(pkg, reader, "_rels/.rels", ""):
        if rtype not in _ROOT_RELS or mode == "External":
            pkg.problem(ReasonCode.ACTIVE_CONTENT, f"署名されていない参照（{part[:60]}）があります")
    book_rels = {}
    theme_part: str | None = None
    if reader.has("xl/_rels/workbook.xml.rels"):
        book_root = reader.xml("xl/_rels/workbook.xml.rels")
        _check_relationships(pkg, "xl/_rels/workbook.xml.rels", book_root)
        for rel in book_root:
            rtype, target, mode = rel.get("Type") or "", rel.get("Target") or "", rel.get("TargetMode") or ""
            if rtype not in _BOOK_RELS or mode == "External":
                what = (
                    "外部ブックへのリンク" if "externalLink" in rtype or mode == "External" else target[:60]
                )
                pkg.problem(ReasonCode.ACTIVE_CONTENT, f"署名されていない参照（{what}）があります")
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            book_rels[rel.get("Id") or ""] = part
            if rtype == _REL_TYPE + "theme":
                theme_part = part
    _scan_workbook(reader, pkg, book_rels)
    _scan_styles(reader, pkg, theme_part)
    if reader.has("xl/sharedStrings.xml"):
        root = reader.xml("xl/sharedStrings.xml")
        if (
            _int(root.get("uniqueCount")) > reader.limits.max_shared_strings
            or _int(root.get("count")) > 100 * reader.limits.max_shared_strings
        ):
            raise UnreadableWorkbook(
                ReasonCode.TOO_LARGE, "ファイルが壊れているか、大きすぎます（文字列の数が上限を超えます）"
            )
        pkg.strings = [_text_of(si, pkg.palette) for si in root.iter(MAIN + "si")]
        if len(pkg.strings) > reader.limits.max_shared_strings:
            raise UnreadableWorkbook(
                ReasonCode.TOO_LARGE, "ファイルが壊れているか、大きすぎます（文字列の数が上限を超えます）"
            )
    for name, _state, part in pkg.sheets:
        if not part or not reader.has(part):
            pkg.problem(ReasonCode.CORRUPT, f"ファイルが壊れています（シート「{name[:31]}」がありません）")
            continue
        pkg.scans[name] = _scan_sheet(reader, pkg, name, part)
    return pkg


def _active_part_message(name: str) -> str:
    low = name.lower()
    if "vba" in low or "macro" in low:
        return "マクロを含むブックです（マクロ付きのファイルは受け付けません）"
    if "comment" in low or "persons" in low:
        return "コメント（メモ）が追加されています"
    if "drawing" in low or "media" in low or "chart" in low:
        return "図形・画像が追加されています"
    if "externallink" in low:
        return "外部ブックへのリンクがあります"
    if "activex" in low or "embeddings" in low or "oleobject" in low or "ctrlprops" in low:
        return "埋め込みオブジェクト（OLE・ActiveX）があります"
    return f"署名されていない構成要素「{name[:60]}」があります"


def _scan_workbook(reader: XlsxReader, pkg: Package, rels: dict[str, str]) -> None:
    root = reader.xml("xl/workbook.xml")
    if root.tag != MAIN + "workbook":
        pkg.problem(
            ReasonCode.APPEARANCE, "対応していない形式のブックです（Strict Open XML などで保存されています）"
        )
        return
    _check_layout_tree(root)
    seen: set[str] = set()
    for child in root:
        local = child.tag.rsplit("}", 1)[-1]
        if local in seen and local != "fileRecoveryPr":  # every other child at most once (CT_Workbook)
            # a second <definedNames> with a print area, a second <sheets>…: programs read either
            pkg.problem(ReasonCode.CORRUPT, f"ファイルが壊れています（ブックに {local} が2つあります）")
        seen.add(local)
        if local == "externalReferences":
            pkg.problem(ReasonCode.ACTIVE_CONTENT, "外部ブックへのリンクがあります")
        elif local not in _WORKBOOK_ELEMENTS:
            pkg.problem(ReasonCode.APPEARANCE, f"ブックに署名されていない設定（{local[:40]}）があります")
    for view in root.iter(MAIN + "workbookView"):
        if view.get("visibility") in ("hidden", "veryHidden"):
            pkg.book_hidden = True
    sheets = root.find(MAIN + "sheets")
    if sheets is not None:
        if len(sheets) > reader.limits.max_sheets:
            raise UnreadableWorkbook(
                ReasonCode.TOO_LARGE, "ファイルが壊れているか、大きすぎます（シートが多すぎます）"
            )
        ids: set[str] = set()
        for el in sheets:
            rid = el.get(REL_NS + "id") or ""
            sid = el.get("sheetId") or ""
            if (
                set(el.attrib) - _SHEET_ATTRS
                or not sid
                or sid in ids
                or (el.get("state") or "visible") not in _STATES
            ):
                pkg.problem(ReasonCode.CORRUPT, "ファイルが壊れています（シートの定義が正しくありません）")
            ids.add(sid)
            pkg.sheets.append((el.get("name") or "", el.get("state") or "visible", rels.get(rid, "")))
    names = root.find(MAIN + "definedNames")
    if names is not None:
        for el in names:
            sheet_no = el.get("localSheetId")
            pkg.defined_names.append(
                (el.get("name") or "", _int(sheet_no) if sheet_no is not None else None, el.text or "")
            )


# (styles.xml, theme part) → formats, cell formats, fonts, fills, palette, the normal style's font,
# the cell formats whose alignment garbles text
_STYLES: dict[
    tuple[bytes, bytes],
    tuple[
        dict[int, str],
        list[tuple[int, int, int]],
        list[Font],
        list[str | None],
        Palette,
        int,
        dict[int, str],
        dict[int, tuple[str | None, str | None]],
        set[int],
    ],
] = {}


def _scan_styles(reader: XlsxReader, pkg: Package, theme_part: str | None) -> None:
    """The number formats, fonts and fills of the cell styles, their colours as the workbook's theme
    and palette make them (a pure function of styles.xml and the theme part, kept for the next file:
    the submissions of one merge share both); then what concerns the whole workbook: a theme whose
    colours cannot be told or whose fonts are symbol fonts, and the normal font (the header's and the
    footer's) where it cannot be seen."""
    theme = reader.read(theme_part) if theme_part and reader.has(theme_part) else b""
    palette: Palette = OFFICE
    faces: list[str] = []
    if theme and theme_part:
        known_theme = _THEMES.get(theme)
        if known_theme is None:
            known_theme = theme_palette(reader.xml(theme_part, theme))
            if len(_THEMES) >= 64:
                _THEMES.clear()
            _THEMES[theme] = known_theme
        palette, faces = known_theme
    pkg.palette = palette
    normal = 0
    if not reader.has("xl/styles.xml"):
        pkg.formats = dict(_BUILTIN_FORMATS)
        pkg.xfs, pkg.fonts, pkg.fills = [(0, 0, 0)], [Font(11, "000000")], ["FFFFFF"]
    else:
        key = (reader.read("xl/styles.xml"), theme)
        known = _STYLES.get(key)
        if known is None:
            normal = _read_styles(reader, pkg)
            if len(_STYLES) >= 1024:
                _STYLES.clear()
            _STYLES[key] = (
                dict(pkg.formats),
                list(pkg.xfs),
                list(pkg.fonts),
                list(pkg.fills),
                pkg.palette,
                normal,
                dict(pkg.aligned),
                dict(pkg.patterns),
                set(pkg.wraps),
            )
        else:
            formats, xfs, fonts, fills, pkg.palette, normal, aligned, patterns, wraps = known
            pkg.formats, pkg.xfs, pkg.fonts, pkg.fills = dict(formats), list(xfs), list(fonts), list(fills)
            pkg.aligned, pkg.patterns, pkg.wraps = dict(aligned), dict(patterns), set(wraps)
    unknown = [name for name, colour in zip(SCHEME, palette.theme, strict=True) if colour is None]
    if unknown:
        pkg.problem(ReasonCode.APPEARANCE, f"ブックのテーマの色（{'、'.join(unknown)}）が読み取れません")
    for face in faces:
        if is_symbol_font(face):
            pkg.problem(
                ReasonCode.APPEARANCE,
                f"ブックのテーマのフォントが記号のフォント（{face[:30]}）になっています",
            )
            break
    font = pkg.fonts[normal] if 0 <= normal < len(pkg.fonts) else Font(11, "000000")
    if font.color is not None and contrast(font.color, "FFFFFF") < MIN_CONTRAST:
        pkg.problem(
            ReasonCode.APPEARANCE,
            f"標準の文字（ヘッダー・フッターの文字）が見えない色（#{font.color}）になっています",
        )
    if is_symbol_font(font.name):
        pkg.problem(
            ReasonCode.APPEARANCE,
            f"標準の文字（ヘッダー・フッターの文字）が記号のフォント（{font.name[:30]}）になっています",
        )
    if font.size < 6:
        pkg.problem(
            ReasonCode.APPEARANCE, f"標準の文字（ヘッダー・フッターの文字）が小さすぎます（{font.size:g}pt）"
        )


_THEMES: dict[bytes, tuple[Palette, list[str]]] = {}


def _read_styles(reader: XlsxReader, pkg: Package) -> int:
    """Read styles.xml into ``pkg`` (its palette is the theme's; the style sheet may redefine the
    legacy colours); the index of the normal style's font."""
    pkg.formats = dict(_BUILTIN_FORMATS)
    root = reader.xml("xl/styles.xml")
    _check_styles_shape(root)
    locals_ = [child.tag.rsplit("}", 1)[-1] for child in root]
    for twice in sorted({t for t in locals_ if locals_.count(t) > 1}):  # each at most once (CT_Stylesheet)
        raise UnreadableWorkbook(
            ReasonCode.CORRUPT, f"ファイルが壊れています（スタイルに {twice} が2つあります）"
        )
    indexed = root.find(f"{MAIN}colors/{MAIN}indexedColors")
    if indexed is not None:
        pkg.palette = with_indexed(pkg.palette, [hex_colour(el.get("rgb")) for el in indexed])
    palette = pkg.palette
    fmts = root.find(MAIN + "numFmts")
    if fmts is not None:
        for el in fmts:
            pkg.formats[_int(el.get("numFmtId"), -1)] = el.get("formatCode") or ""
    fonts = root.find(MAIN + "fonts")
    for el in fonts if fonts is not None else ():
        sz = el.find(MAIN + "sz")
        try:
            size = float(sz.get("val") or "11") if sz is not None else 11.0
            if not math.isfinite(size):
                size = 0.0  # no size a program can show: as small as it gets
        except ValueError:
            size = 0.0
        name = el.find(MAIN + "name")
        colour = resolve(el.find(MAIN + "color"), palette, missing="000000")  # none: automatic
        marked = ""
        strike, raised = el.find(MAIN + "strike"), el.find(MAIN + "vertAlign")
        if strike is not None and strike.get("val") not in ("0", "false"):
            marked = "取り消し線付きの文字で書かれています"  # a struck-through figure reads as withdrawn
        elif raised is not None and raised.get("val") not in (None, "baseline"):
            marked = "上付き・下付きの小さな文字で書かれています"
        pkg.fonts.append(Font(size, colour, (name.get("val") or "") if name is not None else "", marked))
    fills = root.find(MAIN + "fills")
    for el in fills if fills is not None else ():
        pattern = el.find(MAIN + "patternFill")
        if pattern is not None and pattern.get("patternType") == "solid":
            pkg.fills.append(resolve(pattern.find(MAIN + "fgColor"), palette, missing="000000") or UNKNOWN)
        elif pattern is None or pattern.get("patternType") in (None, "none"):
            pkg.fills.append("FFFFFF")
        else:  # a pattern of two colours (foreground black and background white unless given)
            pkg.patterns[len(pkg.fills)] = (
                resolve(pattern.find(MAIN + "fgColor"), palette, missing="000000"),
                resolve(pattern.find(MAIN + "bgColor"), palette, missing="FFFFFF"),
            )
            pkg.fills.append(None)
    for al in root.iter(MAIN + "alignment"):
        for attr, allowed in _ALIGN.items():
            value = al.get(attr)
            if value is not None and value not in allowed:
                raise _Malformed(value)
    crossed: set[int] = set()  # borders that draw a diagonal line through their cell
    borders = root.find(MAIN + "borders")
    for b, el in enumerate(borders if borders is not None else ()):
        diagonal = el.find(MAIN + "diagonal")
        if (
            (_true(el.get("diagonalUp")) or _true(el.get("diagonalDown")))
            and diagonal is not None
            and diagonal.get("style") not in (None, "none")
        ):
            crossed.add(b)
    xfs = root.find(MAIN + "cellXfs")
    for i, el in enumerate(xfs if xfs is not None else ()):
        pkg.xfs.append((_int(el.get("numFmtId")), _int(el.get("fontId")), _int(el.get("fillId"))))
        if _int(el.get("borderId")) in crossed:
            pkg.aligned[i] = "斜線で消されています"  # a figure crossed out reads as withdrawn
            continue
        alignment = el.find(MAIN + "alignment")
        if alignment is not None and _true(alignment.get("wrapText")):
            pkg.wraps.add(i)
        if alignment is not None and alignment.get("horizontal") == "fill":
            pkg.aligned[i] = "繰り返して表示する配置（フィル）で書かれています"  # 62,172 shows 62,17262,172…
        elif alignment is not None and alignment.get("textRotation") not in (None, "0"):
            pkg.aligned[i] = "回転した文字で書かれています（行の高さに収まらない部分が隠れます）"
        elif alignment is not None and _true(alignment.get("shrinkToFit")):
            pkg.aligned[i] = "縮小して全体を表示する配置で書かれています"  # a long text shrinks out of sight
    if not pkg.xfs:
        pkg.xfs = [(0, 0, 0)]
    normal_xf = 0
    for style in root.iterfind(f"{MAIN}cellStyles/{MAIN}cellStyle"):
        if style.get("builtinId") == "0":
            normal_xf = _int(style.get("xfId"))
            break
    style_xfs = root.find(MAIN + "cellStyleXfs")
    if style_xfs is not None and 0 <= normal_xf < len(style_xfs):
        return _int(style_xfs[normal_xf].get("fontId"))
    return 0


# Empty cells: a cell with only a reference, a style and type n, as every writer fills a styled grid
# (more than half the <c> elements of a dxdesk sheet). Such a cell shows nothing and the cell scan
# skips it, so a run of them right inside a <row …> or right after a </c> is dropped from the bytes
# before parsing (a quarter of the parsing, half of the cell loop). Only where that provably changes
# nothing (see :func:`_empty_cells_droppable`); anything else is parsed as it is.
_EMPTY_CELL_RUN = re.compile(
    rb'(<row(?: [A-Za-z][A-Za-z0-9:]*="[^"<>&]*")*>|</c>)'
    rb'(?:<c r="[A-Z]{1,3}[1-9][0-9]{0,6}" s="[0-9]{1,5}" t="n" ?/>)+'
)


def _empty_cells_droppable(data: bytes) -> bool:
    """Dropping the runs :data:`_EMPTY_CELL_RUN` matches leaves the same cells, rows and errors.

    - no ``<!`` (CDATA, comments: text that could spell ``</c>``) and no processing instruction but
      the XML declaration, so every ``<row …>`` / ``</c>`` / ``<c …/>`` matched is markup;
    - every namespace declaration is on the root element, which declares the default namespace: an
      unprefixed ``c`` is the same element wherever it stands;
    - a run follows a complete ``<row>`` start tag (its children) or a ``</c>`` (siblings of a cell
      that stays: wherever the run stands, that cell makes the same error it would);
    so what is dropped is only cells with no value that the scan would have skipped."""
    if b"<!" in data:
        return False
    decl = data.find(b"<?")
    if decl > 3 or (decl >= 0 and data.find(b"<?", decl + 2) >= 0):
        return False
    root = data.find(b"<", decl + 2 if decl >= 0 else 0)
    end = data.find(b">", root)
    if root < 0 or end < 0:
        return False
    first = data.find(b"xmlns")
    return (
        root < first < end
        and data.find(b"xmlns", end) < 0
        and re.search(rb'\sxmlns\s*=\s*"', data[root:end]) is not None
    )


def _sheet_xml(reader: XlsxReader, part: str) -> Element:
    data = reader.read(part)
    if b't="n"' in data and _empty_cells_droppable(data):
        # split keeps what the group captured (the <row …> or </c>) and drops the runs: no per-match
        # template expansion as with sub
        return reader.xml(part, b"".join(_EMPTY_CELL_RUN.split(data)))
    return reader.xml(part)


_MERGES: dict[bytes, tuple[int, int, int, int]] = {}


def _merges_of(refs: list[bytes]) -> list[tuple[int, int, int, int]]:
    """Merged ranges read by the grammar, as the element loop reads them (cached: the same ranges
    recur in every sheet of a layout). A range that ends before it starts is left to the parser,
    which reports it."""
    out = []
    known = _MERGES
    for ref in refs:
        m = known.get(ref)
        if m is None:
            a, _, b = ref.decode("ascii").partition(":")
            r1, c1 = split_ref(a)
            r2, c2 = split_ref(b or a)
            if r1 > r2 or c1 > c2:
                raise _NotGrammar
            if len(known) >= _REMEMBERED:
                known.clear()
            m = known[ref] = (r1, c1, r2, c2)
        out.append(m)
    return out


_COL, _SHEET_VIEW, _SHEET_FORMAT = MAIN + "col", MAIN + "sheetView", MAIN + "sheetFormatPr"
# the children of a worksheet that may be written more than once (every other at most once: ECMA-376
# CT_Worksheet)
_REPEATED = frozenset({"cols", "conditionalFormatting"})


class _NotGrammar(Exception):
    """A part the sheet grammar let through is not what it seemed: parse it instead."""


def _scan_sheet(reader: XlsxReader, pkg: Package, name: str, part: str) -> SheetScan:
    try:
        return _scan_sheet_as(reader, pkg, name, part, grammar=True)
    except _NotGrammar:
        return _scan_sheet_as(reader, pkg, name, part, grammar=False)


def _scan_sheet_as(reader: XlsxReader, pkg: Package, name: str, part: str, *, grammar: bool) -> SheetScan:
    scan = SheetScan(name)
    data = reader.read(part)
    split = split_sheet(data) if grammar else None
    key = None
    raised = 0
    if split is None:
        check_sheet_refs(name, data, reader.limits, cells=False)
        root = _sheet_xml(reader, part)
    else:
        # the cells and merged ranges as dxdesk writes them, read by the grammar; the rest parsed
        scan.merges = _merges_of(split.merges)
        check_sheet_refs(
            name,
            data if split.ranges_in_cells else split.outline,
            reader.limits,
            cells=False,
            beyond=(max((m[2] for m in scan.merges), default=0), max((m[3] for m in scan.merges), default=0)),
        )
        key = _layout_key(split.outline)
        if key is not None and key[0] in _LAYOUTS:
            _known_layout(reader, pkg, scan, part, split, key)
            return scan
        root = reader.xml(part, split.outline)
        raised = pkg.raised
    if root.tag != MAIN + "worksheet":
        pkg.problem(ReasonCode.APPEARANCE, f"シート「{name[:31]}」は通常のワークシートではありません")
        return scan
    _sheet_rels(reader, pkg, scan, part)
    _check_layout_tree(root, skip="sheetData")
    for child in root:
        local = child.tag.rsplit("}", 1)[-1]
        if local in scan.elements and local not in _REPEATED:
            # which of the two a program shows (or prints, or merges into one) is its own choice
            pkg.problem(
                ReasonCode.CORRUPT, f"ファイルが壊れています（シート「{name[:31]}」に {local} が2つあります）"
            )
        scan.elements.append(local)
        if local == "sheetData":
            if split is None:
                _scan_cells(pkg, scan, child, reader.limits)
            else:
                _split_cells(pkg, scan, split, reader.limits)
        elif local == "cols":
            for col in child:
                if col.tag != _COL:  # a spreadsheet <col> was checked with the layout tree
                    _check_attrs(col, "col")
                if _true(col.get("hidden")) or (
                    col.get("width") is not None and _float(col.get("width")) < 0.5
                ):
                    scan.hidden_cols.append((_int(col.get("min"), 1), _int(col.get("max"), 1)))
                if col.get("width") is not None:
                    scan.col_widths.append(
                        (_int(col.get("min"), 1), _int(col.get("max"), 1), _float(col.get("width")))
                    )
        elif local == "sheetPr":
            pr = child.find(MAIN + "pageSetUpPr")
            if pr is not None:
                scan.page_setup_pr = dict(pr.attrib)
        elif local == "pageSetup":
            scan.page_setup = dict(child.attrib)
        elif local == "pageMargins":
            scan.margins = dict(child.attrib)
        elif local == "printOptions":
            scan.print_options = dict(child.attrib)
        elif local == "sheetFormatPr":
            if child.tag != _SHEET_FORMAT:
                _check_attrs(child, "sheetFormatPr")
            scan.rows_hidden_by_default = (
                _true(child.get("zeroHeight")) or _float(child.get("defaultRowHeight") or "15") < 6
            )
            if child.get("defaultColWidth") is not None:
                scan.default_col_width = _float(child.get("defaultColWidth"))
            elif child.get("baseColWidth") is not None:  # characters, and Excel's 5 pixels of padding
                scan.default_col_width = _float(child.get("baseColWidth")) + 5 / 7
            scan.default_row_height = _float(child.get("defaultRowHeight") or "15")
        elif local == "sheetViews":
            for view in child:
                if view.tag != _SHEET_VIEW:
                    _check_attrs(view, "sheetView")
                if view.get("showZeros") in ("0", "false"):
                    scan.show_zeros = False
        elif local == "mergeCells":
            for mc in child:
                a, _, b = (mc.get("ref") or "").partition(":")
                try:
                    r1, c1 = split_ref(a.replace("$", ""))
                    r2, c2 = split_ref((b or a).replace("$", ""))
                except ValueError:
                    raise _Malformed(mc.get("ref") or "") from None
                scan.merges.append((r1, c1, r2, c2))
        elif local == "headerFooter":
            tags = [c.tag.rsplit("}", 1)[-1] for c in child]
            for twice in sorted({t for t in tags if tags.count(t) > 1}):
                pkg.problem(
                    ReasonCode.CORRUPT,
                    f"ファイルが壊れています（シート「{name[:31]}」のヘッダー・フッターに {twice} が2つあります）",
                )
            oh, of = child.find(MAIN + "oddHeader"), child.find(MAIN + "oddFooter")
            header_text = oh.text or "" if oh is not None else ""
            footer_text = of.text or "" if of is not None else ""
            scan.header = normalise_header(header_text)
            scan.footer = normalise_header(footer_text)
            _check_header_texts(pkg, name, header_text, footer_text)
            if _true(child.get("differentFirst")) or _true(child.get("differentOddEven")):
                scan.elements.append("headerFooter:different")
    if split is not None and key is not None and pkg.raised == raised and _plain_header_footer(root):
        if len(_LAYOUTS) >= _LAYOUTS_KEPT:
            _LAYOUTS.clear()
        _LAYOUTS[key[0]] = (
            tuple(scan.elements),
            tuple(scan.hidden_cols),
            scan.rows_hidden_by_default,
            scan.show_zeros,
            (scan.page_setup, scan.page_setup_pr, scan.margins, scan.print_options),
            (tuple(scan.col_widths), scan.default_col_width, scan.default_row_height),
        )
    return scan


# A sheet's layout — its part but the cells and merged ranges (read by the grammar), the dimension and
# the texts of the header and footer — is the same in many files of a merge. What the parser and the
# layout check made of one that passed every check is remembered by its bytes with those texts left
# out; a part with the same layout then has only its own texts and dimension read (:func:`_known_layout`).
_LAYOUTS: dict[
    bytes,
    tuple[
        tuple[str, ...],
        tuple[tuple[int, int], ...],
        bool,
        bool,
        tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]],
        tuple[tuple[tuple[int, int, float], ...], float, float],
    ],
] = {}
_LAYOUTS_KEPT = 2_000  # about 1.5 KB each
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3}[1-9][0-9]{0,6}(?::[A-Z]{1,3}[1-9][0-9]{0,6})?)" ?/>')
_HEADER_FOOTER = re.compile(rb"<headerFooter[ >].*?</headerFooter>", re.DOTALL)
_HEADER_TEXT = re.compile(
    rb"<(oddHeader|oddFooter|evenHeader|evenFooter|firstHeader|firstFooter)>([^<]*)</\1>"
)
_HEADER_TAGS = frozenset(
    MAIN + t for t in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter")
)


def _layout_key(outline: bytes) -> tuple[bytes, bytes, list[tuple[bytes, bytes]]] | None:
    """(the layout's bytes, the dimension, the header and footer texts as (tag, bytes)), or None for a
    part whose layout is not remembered (no dimension or header written as dxdesk writes them)."""
    dimension = _DIMENSION.search(outline)
    if dimension is None or outline.count(b"<dimension") != 1 or outline.count(b"<headerFooter") != 1:
        return None
    hf = _HEADER_FOOTER.search(outline)
    if hf is None or hf.start() < dimension.end():
        return None
    texts = _HEADER_TEXT.findall(outline, hf.start(), hf.end())
    if len({tag for tag, _text in texts}) != len(texts):
        return None
    layout = b"".join(
        (
            outline[: dimension.start(1)],
            outline[dimension.end(1) : hf.start()],
            _HEADER_TEXT.sub(rb"<\1></\1>", hf.group()),
            outline[hf.end() :],
        )
    )
    return layout, dimension.group(1), texts


def _plain_header_footer(root: Element) -> bool:
    """The header and footer are one ``<headerFooter>`` of the worksheet whose children hold only
    text and have no attributes: the texts :func:`_layout_key` takes out are exactly those the parser
    gave the scan."""
    hfs = [el for el in root if el.tag == MAIN + "headerFooter"]
    if len(hfs) != 1 or sum(1 for el in root.iter() if el.tag == MAIN + "headerFooter") != 1:
        return False
    children = list(hfs[0])
    if any(len(c) or c.attrib or c.tag not in _HEADER_TAGS for c in children):
        return False
    return sum(1 for el in root.iter() if el.tag in _HEADER_TAGS) == len(children)


def _sheet_rels(reader: XlsxReader, pkg: Package, scan: SheetScan, part: str) -> None:
    """The sheet's relationships: any but to printer settings is noted (an unsigned reference)."""
    for rtype, target, mode in _rels(
        pkg,
        reader,
        posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"),
        posixpath.dirname(part),
    ):
        if rtype not in _SHEET_RELS or mode == "External":
            scan.other_rels.append(target)


def _known_layout(
    reader: XlsxReader,
    pkg: Package,
    scan: SheetScan,
    part: str,
    split: SplitSheet,
    key: tuple[bytes, bytes, list[tuple[bytes, bytes]]],
) -> None:
    """The rest of :func:`_scan_sheet_as` for a part whose layout passed before: the dimension and the
    texts are checked as the parser and the layout check would (anything they would refuse sends the
    part to the parser: :class:`_NotGrammar`), the cells read, the rest taken from the layout."""
    _layout, dimension, texts = key
    try:
        _check_values(Element(MAIN + "dimension", {"ref": dimension.decode("ascii")}))
        shown = {tag: XML(b"<t>" + raw + b"</t>").text or "" for tag, raw in texts}
    except (_Malformed, ParseError, ValueError):
        raise _NotGrammar from None
    _sheet_rels(reader, pkg, scan, part)
    elements, hidden_cols, rows_hidden, show_zeros, printing, sizes = _LAYOUTS[_layout]
    widths, scan.default_col_width, scan.default_row_height = sizes
    scan.col_widths = list(widths)
    scan.page_setup, scan.page_setup_pr, scan.margins, scan.print_options = (dict(d) for d in printing)
    scan.elements = list(elements)
    scan.hidden_cols = list(hidden_cols)
    scan.rows_hidden_by_default = rows_hidden
    scan.show_zeros = show_zeros
    scan.header = normalise_header(shown.get(b"oddHeader", ""))
    scan.footer = normalise_header(shown.get(b"oddFooter", ""))
    # what each finds is reported in the order of the part, as the parser's road does
    cells_first = "headerFooter" not in elements or elements.index("sheetData") < elements.index(
        "headerFooter"
    )
    if cells_first:
        _split_cells(pkg, scan, split, reader.limits)
    _check_header_texts(pkg, scan.name, shown.get(b"oddHeader", ""), shown.get(b"oddFooter", ""))
    if not cells_first:
        _split_cells(pkg, scan, split, reader.limits)


_CELL_TYPES = frozenset({"n", "s", "str", "inlineStr", "b", "e", "d"})
_ROW_ATTRS = _SHEET_ATTRS_OF["row"]
_CELL_ATTRS = _SHEET_ATTRS_OF["c"]
_F, _V_TAG, _IS, _T, _EXT = MAIN + "f", MAIN + "v", MAIN + "is", MAIN + "t", MAIN + "extLst"
_ROW, _C = MAIN + "row", MAIN + "c"


def _scan_cells(pkg: Package, scan: SheetScan, sheet_data: Element, limits: Limits) -> None:
    """The cells with content of one sheet (the hot loop of verification: plain lookups only)."""
    strings = pkg.strings
    n_strings = len(strings)
    cells = scan.cells
    hidden_rows = scan.hidden_rows
    max_row = max_col = 0
    style_ids: dict[str, int] = {}
    for row in sheet_data:
        max_row = _scan_row(row, row.attrib, max_row, hidden_rows)
        if "ht" in row.attrib and "r" in row.attrib:
            scan.row_heights[_int(row.get("r"))] = _float(row.get("ht"))
        if row.tag != _ROW:
            raise _Malformed(row.tag.rsplit("}", 1)[-1])
        for c in row:
            if c.tag != _C:
                raise _Malformed(c.tag.rsplit("}", 1)[-1])
            a = c.attrib
            if not _CELL_ATTRS.issuperset(a):
                _check_attrs(c, "c")
            t = a.get("t", "n")
            if t not in _CELL_TYPES:
                raise _Malformed(t)
            f = v = is_ = None
            for sub in c:
                tag = sub.tag
                if tag == _V_TAG:
                    v = sub
                elif tag == _F:
                    f = sub
                elif tag == _IS:
                    is_ = sub
                elif tag != _EXT:
                    raise _Malformed(tag.rsplit("}", 1)[-1])
            ref = a.get("r") or ""
            try:
                col = split_ref(ref)[1]
            except ValueError:
                raise _Malformed(ref) from None
            if f is not None:
                scan.formulas.append(ref)
            rich = False
            if t == "s":
                idx = _int(v.text, -1) if v is not None else -1
                if 0 <= idx < n_strings:
                    text, rich = strings[idx]
                else:
                    text = ""
            elif t == "inlineStr":
                if (
                    is_ is not None
                    and len(is_) == 1
                    and is_[0].tag == _T
                    and not is_[0].attrib
                    and not len(is_[0])
                ):
                    text = unescape_excel(is_[0].text or "")  # the common case: one plain text
                else:
                    text, rich = _text_of(is_, pkg.palette) if is_ is not None else ("", False)
                t = "s"
            elif t == "str":
                text, t = (v.text or "") if v is not None else "", "s"
            else:
                text = (v.text or "") if v is not None else ""
            if f is not None:
                t = "f"
            elif text == "":
                continue
            if not ref or ref in cells:
                pkg.problem(
                    ReasonCode.CORRUPT,
                    f"ファイルが壊れています（シート「{scan.name[:31]}」のセル番地が正しくありません）",
                )
                continue
            max_col = max(max_col, col)
            style = a.get("s")
            if style is None:
                style_no = 0
            else:
                style_no = style_ids.get(style, -1)
                if style_no < 0:
                    style_no = style_ids[style] = _int(style)
            cells[ref] = ScanCell(
                t,
                text,
                style_no,
                ("ph" in a and _true(a["ph"])) or "vm" in a or "cm" in a,
                rich,
            )
    if max_row > limits.max_row or max_col > limits.max_col or max_row * max_col > limits.max_cells:
        raise too_large_range(scan.name, max_row, max_col)


def _scan_row(row: Element | None, ra: dict[str, str], max_row: int, hidden_rows: set[int]) -> int:
    """One row's attributes: checked, a hidden or near-zero row noted; the highest row number so far.
    ``row``: the element (None when the grammar read it: one is made if an attribute needs a look)."""
    rn = ra.get("r")
    if rn is not None:
        max_row = max(max_row, _int(rn))
    if not _ROW_ATTRS.issuperset(ra):
        _check_attrs(row if row is not None else Element(_ROW, ra), "row")
    elif ra:
        key = tuple(ra.items())
        if key not in _ROWS_OK:
            _check_values(row if row is not None else Element(_ROW, ra))
            if len(_ROWS_OK) >= _REMEMBERED:
                _ROWS_OK.clear()
            _ROWS_OK.add(key)
    if ("hidden" in ra or "ht" in ra) and (_true(ra.get("hidden")) or ("ht" in ra and _float(ra["ht"]) < 6)):
        hidden_rows.add(_int(ra.get("r")))
    return max_row


_COLUMNS: dict[bytes, int] = {}
_ROW_VERDICTS: dict[
    bytes, tuple[bool, float | None]
] = {}  # a row's attributes (but its number) → hidden, height


def _split_cells(pkg: Package, scan: SheetScan, split: SplitSheet, limits: Limits) -> None:
    """:func:`_scan_cells` for cells read by the grammar (:mod:`.sheet_grammar`): the same cells,
    texts, styles, hidden rows and errors, without elements to walk. Raises :class:`_NotGrammar` for
    a text the grammar let through that is not XML after all (the part is then parsed)."""
    cells = scan.cells
    hidden_rows = scan.hidden_rows
    max_row = max_col = 0
    known = _ROW_VERDICTS
    heights = scan.row_heights
    try:
        for rn, raw in split.rows:
            verdict = known.get(raw)
            if verdict is None:
                # the row's attributes checked once (the verdict does not depend on its number)
                seen: set[int] = set()
                attrs = row_attributes(raw)
                _scan_row(None, {"r": "1", **attrs}, 0, seen)
                if len(known) >= _REMEMBERED:
                    known.clear()
                verdict = known[raw] = (bool(seen), _float(attrs["ht"]) if "ht" in attrs else None)
            row = int(rn)
            if row > max_row:
                max_row = row
            hidden, height = verdict
            if hidden:
                hidden_rows.add(row)
            if height is not None:
                heights[row] = height
    except ValueError:
        raise _NotGrammar from None
    columns = _COLUMNS
    try:
        for ref_b, letters, style, inline, number, raw in split.cells:
            if inline:
                t = "s"
                value = text_of(raw) if b"&" in raw else raw.decode("utf-8")
                if "_x" in value:
                    value = unescape_excel(value)
            else:
                t = "n"
                value = number.decode("ascii")
            if value == "":
                continue
            ref = ref_b.decode("ascii")
            if ref in cells:
                pkg.problem(
                    ReasonCode.CORRUPT,
                    f"ファイルが壊れています（シート「{scan.name[:31]}」のセル番地が正しくありません）",
                )
                continue
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index(letters.decode("ascii"))
            if col > max_col:
                max_col = col
            cells[ref] = ScanCell(t, value, int(style) if style else 0)
    except ValueError:
        raise _NotGrammar from None
    if max_row > limits.max_row or max_col > limits.max_col or max_row * max_col > limits.max_cells:
        raise too_large_range(scan.name, max_row, max_col)


def _float(text: str | None) -> float:
    if text is None:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise _Malformed(text) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _Malformed(text)
    return value


# attributes with a typed value anywhere in workbook.xml and the sheet elements checked: a value of
# another type is a damaged file (Excel repairs it), not something to read leniently
_INT_ATTRS = frozenset(
    {
        "tabRatio",
        "firstSheet",
        "activeTab",
        "calcId",
        "windowWidth",
        "windowHeight",
        "xWindow",
        "yWindow",
        "localSheetId",
        "sheetId",
        "defaultThemeVersion",
        "iterateCount",
        "autoFilterDateGrouping_",
        "zoomScale",
        "zoomScaleNormal",
        "workbookViewId",
        "colorId",
        "outlineLevel",
        "outlineLevelRow",
        "outlineLevelCol",
        "baseColWidth",
        "min",
        "max",
        "style",
        "r",
        "s",
    }
)
_INT_ATTRS = (_INT_ATTRS - {"style"}) | {
    "count",
    "numFmtId",
    "fontId",
    "fillId",
    "borderId",
    "xfId",
    "indent",
    "textRotation",
    "builtinId",
    "iLevel",
    "uniqueCount",
    "paperSize",
    "scale",
    "fitToWidth",
    "fitToHeight",
    "firstPageNumber",
    "copies",
    "id",
    "manualBreakCount",
    "activeCellId",
}
_REF_ATTRS = frozenset({"ref", "sqref", "activeCell", "topLeftCell"})
_ONE_RANGE = re.compile(r"^\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}(?::\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6})?$")
_FLOAT_ATTRS = frozenset({"ht", "width", "defaultRowHeight", "defaultColWidth", "iterateDelta"})
_BOOL_ATTRS = frozenset(
    {
        "hidden",
        "customHeight",
        "customWidth",
        "collapsed",
        "zeroHeight",
        "showGridLines",
        "showZeros",
        "tabSelected",
        "date1904",
        "minimized",
        "showHorizontalScroll",
        "showVerticalScroll",
        "showSheetTabs",
        "autoFilterDateGrouping",
        "fullCalcOnLoad",
        "iterate",
        "bestFit",
        "thickTop",
        "thickBot",
        "thickBottom",
        "customFormat",
        "ph",
        "rightToLeft",
        "showFormulas",
        "showRowColHeaders",
        "showOutlineSymbols",
        "defaultGridColor",
        "showWhiteSpace",
        "windowProtection",
        "showRuler",
        "lockStructure",
        "lockWindows",
        "filterPrivacy",
        "codeName_",
    }
)
_BOOL_ATTRS = _BOOL_ATTRS | {
    "lockStructure",
    "lockWindows",
    "filterPrivacy",
    "applyNumberFormat",
    "applyFont",
    "applyFill",
    "applyBorder",
    "applyAlignment",
    "applyProtection",
    "quotePrefix",
    "pivotButton",
    "wrapText",
    "shrinkToFit",
    "justifyLastLine",
    "locked",
    "fitToPage",
    "summaryBelow",
    "summaryRight",
    "horizontalCentered",
    "verticalCentered",
    "headings",
    "gridLines",
    "gridLinesSet",
    "differentOddEven",
    "differentFirst",
    "scaleWithDoc",
    "alignWithMargins",
    "man",
}
_BOOLS = frozenset({"0", "1", "true", "false"})


def _check_values(el: Element) -> None:
    """Typed attribute values of one element (see :data:`_INT_ATTRS`)."""
    for key, value in el.attrib.items():
        if key in _REF_ATTRS:
            for one in value.split():
                m = _ONE_RANGE.match(one)
                if m is None:
                    raise _Malformed(one)
                if ":" in one:
                    a, b = (split_ref(x.replace("$", "")) for x in one.split(":"))
                    if a[0] > b[0] or a[1] > b[1]:
                        raise _Malformed(one)
        elif key in _INT_ATTRS:
            _int(value)
        elif key in _FLOAT_ATTRS:
            _float(value)
        elif key in _BOOL_ATTRS and value not in _BOOLS:
            raise _Malformed(value)


# --- the comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


def _title_rows(text: str) -> str:
    """``'表紙'!$1:$2`` / ``表紙!$1:$2`` → ``1:2`` (the signed form of print titles)."""
    ref = text.rsplit("!", 1)[-1]
    return ref.replace("$", "")


def check_package(pkg: Package, payload: dict, payload_sheet: str) -> Iterator[Finding]:
    """Everything a person reads, compared with the signed layout and bindings of ``payload``."""
    for code, message in pkg.problems:
        yield Finding(code, message)
    layout = payload.get("layout")
    bindings = payload.get("bindings")
    if (
        not isinstance(layout, dict)
        or layout.get("version") != LAYOUT_VERSION
        or not isinstance(bindings, dict)
    ):
        yield Finding(
            ReasonCode.OLD_FORMAT,
            "表示の照合ができない古い形式のファイルです（最新の dxdesk で作成し直してください）",
        )
        return
    signed = layout.get("sheets")
    if not isinstance(signed, list) or not all(isinstance(s, dict) for s in signed):
        yield Finding(ReasonCode.CORRUPT, "ファイルが壊れています（シートの一覧が読み取れません）")
        return
    yield from _check_sheets(pkg, signed, payload_sheet)
    if pkg.book_hidden:
        yield Finding(ReasonCode.APPEARANCE, "ブックのウィンドウが非表示に設定されています")
    for name, sid, value in pkg.defined_names:
        sheet = pkg.sheets[sid][0] if sid is not None and 0 <= sid < len(pkg.sheets) else None
        want = next((s.get("print_titles") for s in signed if s.get("name") == sheet), None)
        if name == "_xlnm.Print_Titles" and want and _title_rows(value) == want:
            continue
        if name == "_xlnm.Print_Titles":
            yield Finding(ReasonCode.APPEARANCE, f"{sheet}：印刷タイトルが変更されています")
        elif name == "_xlnm.Print_Area":
            yield Finding(
                ReasonCode.APPEARANCE,
                f"{sheet or 'ブック'}：印刷範囲が設定されています（印刷される範囲が変わります）",
            )
        else:
            yield Finding(ReasonCode.APPEARANCE, f"署名されていない名前の定義「{name[:40]}」があります")
    for s in signed:
        name = s.get("name")
        scan = pkg.scans.get(name) if isinstance(name, str) else None
        if scan is None:
            continue
        yield from _check_sheet(pkg, scan, s, bindings.get(name), payload)
    scan = pkg.scans.get(payload_sheet)
    if scan is not None:
        if scan.formulas:
            yield Finding(ReasonCode.ACTIVE_CONTENT, f"{payload_sheet}!{scan.formulas[0]} に数式があります")
        stray = [r for r in scan.cells if split_ref_safe(r)[1] not in (1, 2)]
        if stray:
            yield Finding(
                ReasonCode.APPEARANCE, f"署名データのシートに署名されていない内容があります（{stray[0]}）"
            )
        for element in scan.elements:
            if element not in _SHEET_ELEMENTS:
                yield _element_finding(payload_sheet, element)


def split_ref_safe(ref: str) -> tuple[int, int]:
    try:
        return split_ref(ref)
    except ValueError:
        return (0, 0)


def _check_sheets(pkg: Package, signed: list[dict], payload_sheet: str) -> Iterator[Finding]:
    want = [s.get("name") for s in signed]
    have = [(n, st) for n, st, _p in pkg.sheets if n != payload_sheet]
    seen: set[str] = set()
    for n, st in have:
        if n in seen:
            yield Finding(ReasonCode.APPEARANCE, f"同じ名前のシート「{n}」が複数あります")
        seen.add(n)
        if n not in want:
            yield Finding(ReasonCode.APPEARANCE, f"署名されていないシート「{n}」があります")
        elif st != "visible":
            yield Finding(ReasonCode.APPEARANCE, f"シート「{n}」が非表示にされています")
    for w in want:
        if w not in seen:
            yield Finding(
                ReasonCode.EDITED_CELL, f"表示シート「{w}」が削除されているか、名前が変更されています"
            )
    order = [n for n, _st in have if n in want]
    if order == [n for n in want if n in seen] and len(order) == len(set(order)):
        pass
    else:
        yield Finding(ReasonCode.APPEARANCE, "シートの順番が変更されています")
    payload = [(i, st) for i, (n, st, _p) in enumerate(pkg.sheets) if n == payload_sheet]
    if payload and payload[0][1] == "visible":
        yield Finding(ReasonCode.APPEARANCE, f"署名データのシート「{payload_sheet}」が表示されています")
    if payload and payload[0][0] != len(pkg.sheets) - 1:
        yield Finding(ReasonCode.APPEARANCE, "シートの順番が変更されています")


def _element_finding(sheet: str, element: str) -> Finding:
    what = _ELEMENT_NAMES.get(element, f"署名されていない設定（{element[:40]}）")
    code = ReasonCode.ACTIVE_CONTENT if element in _ACTIVE_ELEMENTS else ReasonCode.APPEARANCE
    return Finding(code, f"シート「{sheet}」に{what}があります")


def _shorten(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _resolve(payload: dict, path: list) -> object:
    node: object = payload
    for key in path:
        if isinstance(node, dict) and isinstance(key, str):
            node = node.get(key)
        elif (
            isinstance(node, list)
            and isinstance(key, int)
            and not isinstance(key, bool)
            and 0 <= key < len(node)
        ):
            node = node[key]
        else:
            return None
    return node


def _payload_agrees(payload: dict, entry: list) -> bool:
    """A bound number that points into the payload shows the payload's own value: the verifier renders
    it and compares (so the sheet a person approved and the data merged cannot differ)."""
    if len(entry) < 6 or entry[5] is None:
        return True
    path = entry[5]
    if not isinstance(path, list):
        return False
    value = _resolve(payload, path)
    if not isinstance(value, str) or not isinstance(entry[2], str) or not isinstance(entry[4], str):
        return False
    return _value_shows(value, entry[2], entry[4])


@functools.lru_cache(maxsize=1 << 14)
def _value_shows(value: str, expected: str, display: str) -> bool:
    """The payload's ``value`` is the bound number ``expected`` and dxdesk shows it as ``display``
    (a pure function of three texts, cached: the same figures recur across a merge)."""
    d, want = _number(value.replace(",", "")), _number(expected)
    if d is None or want is None or d != want:
        return False
    return render_number(d, number_format_of(d)) == display


def number_format_of(d: Decimal) -> str:
    """The number format dxdesk gives a number (thousands separators, the decimals typed)."""
    exp = d.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


def _check_sheet(
    pkg: Package, scan: SheetScan, signed: dict, entries: object, payload: dict
) -> Iterator[Finding]:
    name = scan.name
    for element in dict.fromkeys(scan.elements):
        if element not in _SHEET_ELEMENTS:
            yield _element_finding(name, element)
    for target in scan.other_rels[:1]:
        yield Finding(
            ReasonCode.ACTIVE_CONTENT, f"シート「{name}」に署名されていない参照（{target[:60]}）があります"
        )
    if scan.formulas:
        more = f" ほか{len(scan.formulas) - 1}か所" if len(scan.formulas) > 1 else ""
        yield Finding(ReasonCode.ACTIVE_CONTENT, f"{name}!{scan.formulas[0]} に数式があります{more}")
    if scan.header != signed.get("header") or scan.footer != signed.get("footer"):
        yield Finding(ReasonCode.APPEARANCE, f"シート「{name}」のヘッダー・フッターが変更されています")
    signed_print = signed.get("print")
    if signed_print is not None:  # (files written before the page setup was signed carry none)
        printed = effective_print(scan.page_setup, scan.page_setup_pr, scan.margins, scan.print_options)
        changed = [
            label
            for key, label in PRINT_LABELS.items()
            if not isinstance(signed_print, dict) or printed[key] != signed_print.get(key)
        ]
        if changed:
            yield Finding(
                ReasonCode.APPEARANCE,
                f"シート「{name}」の印刷の設定（{'、'.join(changed)}）が変更されています",
            )
    # what a signed size, merge or wrapping no longer is: (found, unit, what happened, what it does)
    for found, unit, what, why in (
        (
            _undone_merges(scan, signed.get("merges")),
            "か所",
            f"シート「{name}」のセルの結合が変更されています",
            "文字が狭い枠で折り返され、隠れるおそれがあります",
        ),
        (
            _unwrapped(pkg, scan, signed.get("wrapped")),
            "か所",
            "折り返して表示する設定が外されています",
            "長い文字が一行になり、切れて見えなくなるか、印刷が縮小されます",
        ),
        (
            _lowered_rows(scan, signed.get("heights")),
            "行",
            f"シート「{name}」の行の高さが縮められています",
            "文字が隠れるおそれがあります",
        ),
        (
            _narrowed_columns(scan, signed.get("widths")),
            "列",
            f"シート「{name}」の列の幅が狭められています",
            "数字が「###」と表示されるおそれがあります",
        ),
    ):
        if found:
            more = f" ほか{len(found) - MAX_LISTED}{unit}" if len(found) > MAX_LISTED else ""
            yield Finding(ReasonCode.APPEARANCE, f"{what}（{'、'.join(found[:MAX_LISTED])}{more}：{why}）")
    if not scan.show_zeros:
        yield Finding(ReasonCode.APPEARANCE, f"シート「{name}」で 0 の値が表示されない設定になっています")
    if not isinstance(entries, list):
        yield Finding(ReasonCode.CORRUPT, "ファイルが壊れています（表示セルの対応表が読み取れません）")
        return
    bound: dict[str, list] = {}
    for e in entries:
        if not isinstance(e, list) or len(e) < 4 or not isinstance(e[0], str):
            yield Finding(ReasonCode.CORRUPT, "ファイルが壊れています（表示セルの対応表が読み取れません）")
            return
        bound[e[0]] = e
    disagree = [
        f"{name}!{e[0]}：{e[3]}"
        for e in bound_entries(entries)
        if e[1] == "n" and not _payload_agrees(payload, e)
    ]
    if disagree:
        more = f" ほか{len(disagree) - MAX_LISTED}か所" if len(disagree) > MAX_LISTED else ""
        yield Finding(
            ReasonCode.EDITED_CELL,
            f"表示セルが提出データと一致しません（{'、'.join(disagree[:MAX_LISTED])}{more}）",
        )
    edited: list[str] = []
    shown: list[str] = []
    hiding: list[str] = []
    n_edited = n_shown = n_hiding = 0
    cell_of = scan.cells.get
    text_ok = pkg.text_format_ok
    for ref, e in bound.items():
        kind, expected, label = e[1], e[2], e[3]
        cell = cell_of(ref)
        if (
            kind != "n"
            and cell is not None
            and cell.t == "s"
            and cell.text == expected
            and text_ok(cell.style)
        ):
            continue  # the common case of _cell_ok, decided here: a text shown as it is
        ok, display = _cell_ok(pkg, kind, expected, e[4] if len(e) > 4 else None, cell)
        where = f"{name}!{ref}"
        if ok == "edited":
            n_edited += 1
            if len(edited) < MAX_LISTED:
                what = label or "見出し"
                got = "（空欄）" if cell is None else ("（数式）" if cell.t == "f" else _shorten(cell.text))
                want = (
                    "（空欄）"
                    if expected == ""
                    else _shorten(str(e[4] if kind == "n" and len(e) > 4 else expected))
                )
                edited.append(f"{where}：{what} {want} → {got}")
        elif ok == "format":
            n_shown += 1
            if len(shown) < MAX_LISTED:
                shown.append(
                    f"{where} の表示形式が変更されています（{e[4] if len(e) > 4 else expected} → {display} と表示）"
                )
    for ref, cell in scan.cells.items() if not scan.cells.keys() <= bound.keys() else ():
        if ref not in bound:
            yield Finding(
                ReasonCode.APPEARANCE,
                f"{name}!{ref} に署名されていない内容があります（「{_shorten(cell.text)}」）",
            )
            break
    merges = _merge_index(scan)
    styles: dict[int, str | None] = {}
    for ref, cell in scan.cells.items():
        problem = _hidden(pkg, scan, ref, cell, merges, styles)
        if problem:
            n_hiding += 1
            if len(hiding) < MAX_LISTED:
                hiding.append(f"{name}!{ref} が{problem}")
    if n_edited:
        more = f" ほか{n_edited - len(edited)}か所" if n_edited > len(edited) else ""
        yield Finding(ReasonCode.EDITED_CELL, f"表示セルが変更されています（{'、'.join(edited)}{more}）")
    for s in shown:
        yield Finding(ReasonCode.APPEARANCE, f"{s}")
    if n_shown > len(shown):
        yield Finding(ReasonCode.APPEARANCE, f"ほかに{n_shown - len(shown)}か所の表示形式が変更されています")
    if n_hiding:
        more = f" ほか{n_hiding - len(hiding)}か所" if n_hiding > len(hiding) else ""
        yield Finding(ReasonCode.APPEARANCE, f"内容が見えないようにされています（{'、'.join(hiding)}{more}）")


def _undone_merges(scan: SheetScan, signed: object) -> list[str]:
    """The signed merged ranges the sheet no longer has as they were (``signed``: ``[[first row,
    first column, last row, last column], …]``, absent in files exported before it was signed)."""
    if signed is None:
        return []
    if not isinstance(signed, list):
        return ["？"]
    if [list(m) for m in sorted(scan.merges)] == signed:
        return []  # the merges as signed (a file as dxdesk wrote it)
    have = set(scan.merges)
    out: list[str] = []
    for m in signed:
        if not (isinstance(m, list) and len(m) == 4 and all(isinstance(x, int) for x in m)):
            return ["？"]
        if tuple(m) not in have:
            r1, c1, r2, c2 = m
            out.append(f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}")
    return out


def _unwrapped(pkg: Package, scan: SheetScan, signed: object) -> list[str]:
    """The cells signed as wrapping their text whose format no longer does (``signed``: the list of
    their references, absent in files exported before it was signed)."""
    if signed is None:
        return []
    if not isinstance(signed, list):
        return ["？"]
    if not all(isinstance(ref, str) for ref in signed):
        return ["？"]
    cells = scan.cells
    if {cell.style for cell in map(cells.get, signed) if cell is not None} <= pkg.wraps:
        return []  # every one still wraps (a file as dxdesk wrote it)
    return [f"{scan.name}!{ref}" for ref in signed if ref in cells and cells[ref].style not in pkg.wraps]


def _size(value: float) -> str:
    """A width or height for a reason: 1.714… → 1.71, 15.0 → 15."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _lowered_rows(scan: SheetScan, signed: object) -> list[str]:
    """The rows lower than their signed height allows (:data:`NARROWEST` of it: a row cut down hides
    the lines of a wrapped text below its first), as 「13行目（72.65 → 15）」. ``signed``: ``[[row,
    height], …]``, absent in files exported before heights were signed."""
    if signed is None:
        return []
    if not isinstance(signed, list):
        return ["？"]
    out: list[str] = []
    for entry in signed:
        try:
            row, height = int(entry[0]), float(entry[1])
        except (TypeError, ValueError, IndexError):
            return ["？"]
        actual = scan.row_heights.get(row, scan.default_row_height)
        if actual < NARROWEST * height:
            out.append(f"{row}行目（{_size(height)} → {_size(actual)}）")
    return out


def _narrowed_columns(scan: SheetScan, signed: object) -> list[str]:
    """The columns narrower than the signed width allows (:data:`NARROWEST` of it: a reader that
    stores widths in its own units rounds them), as 「G（22 → 1）」. ``signed``: ``[[first, last,
    width], …]``, absent in files exported before widths were signed."""
    if signed is None:
        return []
    if not isinstance(signed, list):
        return ["？"]
    if [[lo, hi, f"{w:.2f}"] for lo, hi, w in sorted(scan.col_widths)] == signed:
        return []  # the widths as signed (a file as dxdesk wrote it)
    out: list[str] = []
    for entry in signed:
        try:
            first, last, width = int(entry[0]), int(entry[1]), float(entry[2])
        except (TypeError, ValueError, IndexError):
            return ["？"]
        for c in range(max(1, first), min(last, first + 64, 16384) + 1):
            covering = [w for lo, hi, w in scan.col_widths if lo <= c <= hi]
            actual = min(covering) if covering else scan.default_col_width
            if actual < NARROWEST * width:
                out.append(f"{column_letters(c)}（{_size(width)} → {_size(actual)}）")
    return out


def bound_entries(entries: object) -> list[list]:
    return [e for e in entries if isinstance(e, list) and len(e) >= 5] if isinstance(entries, list) else []


def _number(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _cell_ok(
    pkg: Package, kind: str, expected: object, display: object, cell: ScanCell | None
) -> tuple[str, str]:
    """("ok" | "edited" | "format", the text shown)."""
    if not isinstance(expected, str):
        return "edited", ""
    if cell is None:
        return ("ok", "") if expected == "" else ("edited", "")
    if cell.t == "f":
        return "edited", ""
    if kind != "n" and cell.t == "s" and cell.text == expected and pkg.text_format_ok(cell.style):
        return "ok", expected  # the common case: a text shown as it is
    fmt = _format_of(pkg, cell.style)
    if kind == "n":
        if cell.t != "n":
            return "edited", cell.text
        return _number_shown(cell.text, expected, display if isinstance(display, str) else None, fmt)
    if cell.t != "s":
        return "edited", cell.text
    value = cell.text.replace("\r\n", "\n").replace("\r", "\n")
    if value != expected:
        return "edited", value
    if fmt not in ("General", "@") and _SIMPLE_FORMAT.match(fmt) is None:
        return "format", f"書式「{_shorten(fmt)}」"
    return "ok", value


@functools.lru_cache(maxsize=1 << 14)
def _number_shown(text: str, expected: str, display: str | None, fmt: str) -> tuple[str, str]:
    """:func:`_cell_ok` for a number cell holding ``text`` in format ``fmt`` (cached: a pure function
    of its arguments, and the same figures and formats recur across a merge)."""
    got, want = _number(text), _number(expected)
    if got is None or want is None:
        return "edited", text
    if got != want and f"{float(got):.15g}" != f"{float(want):.15g}":
        return "edited", text
    shown = render_number(got, fmt)
    if shown is None or shown != display:
        return "format", shown if shown is not None else f"書式「{_shorten(fmt)}」"
    return "ok", shown


def _format_of(pkg: Package, style: int) -> str:
    xf = pkg.xfs[style] if 0 <= style < len(pkg.xfs) else None
    if xf is None:
        return "?"
    return pkg.formats.get(xf[0], "?")


def _merge_index(scan: SheetScan) -> dict[int, list[tuple[int, int, int, int]]] | None:
    """Merged ranges by row (None when they span too many rows to index: then they are scanned)."""
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    total = 0
    for m in scan.merges:
        total += m[2] - m[0] + 1
        if total > 200_000:
            return None
        for r in range(m[0], m[2] + 1):
            by_row.setdefault(r, []).append(m)
    return by_row


def _height(scan: SheetScan, first: int, last: int) -> float:
    """The height in points of rows ``first`` to ``last`` (at most 1,000 counted: more is tall enough)."""
    heights, default = scan.row_heights, scan.default_row_height
    return sum(heights.get(row, default) for row in range(first, min(last, first + 999) + 1))


def _style_problem(pkg: Package, style: int) -> str | None:
    xf = pkg.xfs[style] if 0 <= style < len(pkg.xfs) else (0, 0, 0)
    font = pkg.fonts[xf[1]] if 0 <= xf[1] < len(pkg.fonts) else Font(11, "000000")
    fill = pkg.fills[xf[2]] if 0 <= xf[2] < len(pkg.fills) else "FFFFFF"
    if font.size < 6:
        return f"小さすぎる文字（{font.size:g}pt）で書かれています"
    if style in pkg.aligned:
        return pkg.aligned[style]
    if font.marked:
        return font.marked
    if is_symbol_font(font.name):
        return f"記号のフォント（{font.name[:30]}）で書かれています"
    pattern = pkg.patterns.get(xf[2])
    if font.color is None or fill == UNKNOWN or (pattern is not None and None in pattern):
        # a colour written so that it cannot be told (a tint that is not a number, a theme colour the
        # theme lacks): what a program makes of it is its own choice
        return "読み取れない色で書かれています"
    if pattern is not None:
        fg, bg = pattern
        if fg and bg and max(contrast(font.color, fg), contrast(font.color, bg)) < MIN_CONTRAST:
            return (
                f"背景の模様とほとんど同じ色の文字（文字 #{font.color}、模様 #{fg}・#{bg}）で書かれています"
            )
    if fill is not None:
        if font.color == fill:
            return "背景と同じ色の文字で書かれています"
        if contrast(font.color, fill) < MIN_CONTRAST:
            return f"背景とほとんど同じ色の文字（文字 #{font.color}、背景 #{fill}）で書かれています"
    return None


def _hidden(
    pkg: Package,
    scan: SheetScan,
    ref: str,
    cell: ScanCell,
    merges: dict[int, list[tuple[int, int, int, int]]] | None,
    styles: dict[int, str | None],
) -> str | None:
    try:
        r, c = split_ref(ref)
    except ValueError:
        return "読み取れない番地にあります"
    if r in scan.hidden_rows or scan.rows_hidden_by_default:
        return "非表示の行にあります"
    for lo, hi in scan.hidden_cols:
        if lo <= c <= hi:
            return "非表示の列にあります"
    last_row = r
    for r1, c1, r2, c2 in scan.merges if merges is None else merges.get(r, ()):
        if r1 <= r <= r2 and c1 <= c <= c2 and (r, c) != (r1, c1):
            return f"結合されたセル（{column_letters(c1)}{r1}）の下に隠れています"
        if (r1, c1) == (r, c):
            last_row = r2
    if cell.style not in styles:
        styles[cell.style] = _style_problem(pkg, cell.style)
    problem = styles[cell.style]
    if problem:
        return problem
    xf = pkg.xfs[cell.style] if 0 <= cell.style < len(pkg.xfs) else (0, 0, 0)
    size = pkg.fonts[xf[1]].size if 0 <= xf[1] < len(pkg.fonts) else 11.0
    # (rows with content are 17.5 pt or more as dxdesk writes them, 15.8 pt within the size tolerance:
    # a font of 15 pt fits, and the rows' heights are looked up only for larger ones)
    if size > 15 and size > _height(scan, r, last_row):
        return f"行の高さに収まらない大きな文字（{size:g}pt）で書かれています"
    if cell.rich:
        return "見えない書式の文字を含んでいます"
    if cell.phonetic:
        return "ふりがな・埋め込みの値を表示する設定になっています"
    return None
