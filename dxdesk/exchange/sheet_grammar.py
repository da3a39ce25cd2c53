"""The cells of a sheet part as dxdesk writes it, read with a strict grammar instead of an XML parser.

Verification reads every cell of every sheet of every file the central office merges; parsing the
cell XML into elements and walking them in Python was most of its time. A sheet dxdesk wrote has
one shape only (openpyxl's writer): ``<row r=… ht=… customHeight=…>`` elements holding cells
``<c r="E14" s="8" t="n"><v>11891</v></c>``, ``<c r="A1" s="1" t="inlineStr"><is><t>…</t></is></c>``
or empty ``<c r="B1" s="1" t="n" />``. :func:`split_sheet` checks the whole ``<sheetData>`` against
that grammar with one regular expression (C code) and returns its rows and the cells with content.

It is only a faster road to the same result: :mod:`dxdesk.exchange.appearance` uses it where it
applies and parses the XML where it does not (a file saved by Excel or LibreOffice, shared strings,
rich text, formulas, comments or CDATA, a character reference, anything unusual): ``None`` means
"parse it". Where it applies, what it returns is exactly what the parser would have produced — the
tests compare both on every demo sheet and on thousands of changed ones. Why that holds:

- the part has no ``<!`` (comment, CDATA, DTD) and no processing instruction but the XML declaration,
  and ``<sheetData>`` occurs once, without attributes, as a child of the root element, whose default
  namespace is the spreadsheet one and which declares every namespace (no row may declare one): so
  the bytes matched are markup, and ``row`` / ``c`` / ``v`` / ``is`` / ``t`` are the spreadsheet
  elements;
- the body must match the grammar *as a whole* (``fullmatch``), so nothing lies between the pieces
  the extraction finds; text cannot contain ``<``; attribute values hold no white space an XML parser
  would normalise and no ``&``;
- texts are decoded as an XML parser does (UTF-8, the five predefined entities and character
  references); a character XML does not allow, a carriage return (which a parser turns into a line
  feed) or ``]]>`` sends the part to the parser, which then reports it as it always has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SplitSheet", "split_sheet"]

_REF = rb"[A-Z]{1,3}[1-9][0-9]{0,6}"
_NUMBER = rb"-?[0-9]{1,20}(?:\.[0-9]{1,20})?(?:[eE][-+]?[0-9]{1,3})?"
# no markup, no character XML forbids (U+FFFE and U+FFFF, UTF-8 EF BF BE/BF, included), no CR; written
# as runs of ordinary bytes between lead bytes EF, so that the common bytes cost one class test each
_ORDINARY = rb"[^<\x00-\x08\x0b\x0c\x0e-\x1f\r\xef]*+"
_TEXT = _ORDINARY + rb"(?:\xef(?!\xbf[\xbe\xbf])" + _ORDINARY + rb")*+"
# a cell: empty, a number or an inline text (the common prefix once: the engine does not re-read it)
_CELL = (
    rb'<c r="' + _REF + rb'"(?: s="[0-9]{1,5}")?+'
    rb'(?: t="n"(?: ?/>|><v>' + _NUMBER + rb"</v></c>)"
    rb"| ?/>"
    rb"|><v>" + _NUMBER + rb"</v></c>"
    rb'| t="inlineStr"><is><t(?: xml:space="preserve")?>' + _TEXT + rb"</t></is></c>)"
)
# no white space a parser would normalise, no control character, no U+FFFE / U+FFFF
_ATTR_ORDINARY = rb'[^"<>&\x00-\x1f\xef]*+'
_ROW_ATTR_VALUE = rb'"' + _ATTR_ORDINARY + rb"(?:\xef(?!\xbf[\xbe\xbf])" + _ATTR_ORDINARY + rb')*+"'
# a row's other attributes: any name but a namespace declaration (which would change what its cells are)
_ROW = (
    rb'<row r="[1-9][0-9]{0,6}"(?: (?!xmlns)[A-Za-z]{1,20}=' + _ROW_ATTR_VALUE + rb")*+"
    rb"(?: ?/>|>(?:" + _CELL + rb")*+</row>)"
)
_BODY = re.compile(rb"(?:" + _ROW + rb")*+")
# merged ranges, written after the cells: one range each
_MERGE_CELLS = re.compile(
    rb'<mergeCells count="([0-9]{1,7})">((?:<mergeCell ref="'
    + _REF
    + rb"(?::"
    + _REF
    + rb')?" ?/>)*+)</mergeCells>'
)
_MERGE_REFS = re.compile(rb'<mergeCell ref="([^"]*)"')
# on a body that matched _BODY: the rows, and the cells with content (numbers and texts), in order
_ROWS = re.compile(rb'<row r="([1-9][0-9]{0,6})"((?: [A-Za-z]{1,20}=' + _ROW_ATTR_VALUE + rb")*)")
_ROW_ATTRS = re.compile(r' ([A-Za-z]{1,20})="([^"]*)"')
# (possessive: an empty cell, three in four, is given up at its ``/>`` without trying again)
_CELLS = re.compile(
    rb'<c r="(([A-Z]{1,3})[1-9][0-9]{0,6})"(?: s="([0-9]{1,5})")?+(?: t="(?:n|(inlineStr))")?+>'
    rb"(?:<v>([^<]*+)</v>|<is><t(?: xml:space=\"preserve\")?+>([^<]*+)</t>)"
)
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_MAIN_ROOT = re.compile(rb'\sxmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"')


@dataclass
class SplitSheet:
    """A sheet part cut at its cells: ``outline`` is the part with ``<sheetData/>`` in their place
    and its merged ranges taken out (to parse: the layout elements), ``rows`` each row's number and its other attributes as written (see :func:`row_attributes`), ``cells`` each cell
    with content as bytes: (reference, column letters, style or empty, ``inlineStr`` for a text or
    empty, the number, the text as written — see :func:`text_of`)."""

    outline: bytes
    merges: list[bytes]  # each merged range as written (``A1:C1``); in the outline an empty <mergeCells>
    rows: list[tuple[bytes, bytes]]
    cells: list[tuple[bytes, bytes, bytes, bytes, bytes, bytes]]
    ranges_in_cells: bool  # the cells' bytes spell an attribute name of a range (ref=, topLeftCell=)


def _xml_char_ok(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _entity(m: re.Match[str]) -> str:
    name, dec, hexa = m.groups()
    if name:
        return _NAMED[name]
    code = int(dec) if dec else int(hexa, 16)
    if not _xml_char_ok(code):
        raise ValueError("character reference to a character XML does not allow")
    return chr(code)


def row_attributes(raw: bytes) -> dict[str, str]:
    """The attributes of :attr:`SplitSheet.rows` as an XML parser reads them. Raises ValueError where
    a parser would fail (an attribute twice, ``r`` among them)."""
    pairs = _ROW_ATTRS.findall(raw.decode("utf-8"))
    attrs = dict(pairs)
    if len(attrs) != len(pairs) or "r" in attrs:
        raise ValueError("an attribute twice")
    return attrs


def text_of(raw: bytes) -> str:
    """A text of :attr:`SplitSheet.cells` as an XML parser reads it. Raises ValueError where a parser
    would fail (not UTF-8, a bare ``&``, a reference to a character XML does not allow)."""
    string = raw.decode("utf-8")
    if "&" in string:
        if _ENTITY.sub("", string).find("&") >= 0:
            raise ValueError("a bare & in a text")
        string = _ENTITY.sub(_entity, string)
    return string


def split_sheet(data: bytes) -> SplitSheet | None:
    """The part ``data`` cut as :class:`SplitSheet`, or None where the grammar does not apply."""
    # (``!`` and ``?`` are rare bytes: looked for first, they spare a search for each ``<``)
    if b"!" in data and b"<!" in data:
        return None
    decl = data.find(b"<?") if b"?" in data else -1
    if decl > 3 or (decl >= 0 and data.find(b"<?", decl + 2) >= 0):
        return None
    start = data.find(b"<sheetData")
    if start < 0:
        return None
    root = data.find(b"<", decl + 2 if decl >= 0 else 0)
    root_end = data.find(b">", root)
    if root < 0 or root_end < 0 or root_end > start:
        return None
    first_ns = data.find(b"xmlns")
    # (no namespace declared after the root's: in the body, the grammar lets no row declare one)
    if not (root < first_ns < root_end) or data.find(b"xmlns", root_end, start) >= 0:
        return None
    if _MAIN_ROOT.search(data, root, root_end) is None:
        return None
    if data.startswith(b"<sheetData/>", start):
        body_start = body_end = start + len(b"<sheetData/>")
        after = body_end
    elif data.startswith(b"<sheetData>", start):
        body_start = start + len(b"<sheetData>")
        # the last one, looked for from the end (the part's short tail): a body that matches the
        # grammar holds no other
        body_end = data.rfind(b"</sheetData>", body_start)
        if body_end < 0:
            return None
        after = body_end + len(b"</sheetData>")
    else:
        return None
    # after the body: a second <sheetData> (none inside it: its grammar has no such tag) or a namespace
    if data.find(b"<sheetData", after) >= 0 or data.find(b"xmlns", after) >= 0:
        return None
    body = data[body_start:body_end]
    # ``]]>`` may not stand in a text
    if _BODY.fullmatch(body) is None or (b"]" in body and b"]]>" in body):
        return None
    tail = data[after:]
    merges: list[bytes] = []
    at = tail.find(b"<mergeCell")
    if data.find(b"<mergeCell", 0, start) >= 0:
        return None
    if at >= 0:
        m = _MERGE_CELLS.match(tail, at)
        if m is None or tail.find(b"<mergeCell", m.end()) >= 0:
            return None
        merges = _MERGE_REFS.findall(m.group(2))
        tail = tail[:at] + b'<mergeCells count="' + m.group(1) + b'"/>' + tail[m.end() :]
    return SplitSheet(
        data[:start] + b"<sheetData/>" + tail,
        merges,
        _ROWS.findall(body),
        _CELLS.findall(body),
        b"ref" in body or b"topLeftCell" in body,
    )
