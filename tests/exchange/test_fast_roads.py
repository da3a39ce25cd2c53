"""Two faster roads to the scan of a sheet, which must never change a verdict:

- the sheet grammar (:mod:`dxdesk.exchange.sheet_grammar`) reads the cells and merged ranges of a
  sheet written as dxdesk writes it without parsing them;
- for any other sheet, runs of empty cells are dropped from the bytes before parsing.

Every hostile file, every file built to make either road matter, and thousands of random changes of a
genuine sheet get exactly what the plain parse of the same bytes gives; the genuine file takes the
grammar for every sheet and still verifies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxdesk.exchange import appearance, sheet_grammar
from dxdesk.exchange.errors import UnreadableWorkbook
from dxdesk.exchange.reader import XlsxReader
from dxdesk.exchange.signed import read_signed
from dxdesk.exchange.submission import verify_submission
from tests.exchange.hostile import MAIN, Package, cases, find_target


def _plain(m: pytest.MonkeyPatch) -> None:
    """Neither fast road: every sheet parsed as it is."""
    m.setattr(appearance, "_empty_cells_droppable", lambda data: False)
    m.setattr(appearance, "split_sheet", lambda data: None)


def _both(path: Path, trust, monkeypatch) -> tuple[tuple, tuple]:
    fast = verify_submission(path, trust)
    with monkeypatch.context() as m:
        _plain(m)
        slow = verify_submission(path, trust)
    key = lambda v: (v.ok, sorted(v.codes), v.message)  # noqa: E731
    return key(fast), key(slow)


def _measure_part(p: Package, world) -> str:
    signed = read_signed(world.submission)
    signed.reader.close()
    return p.sheet_part(find_target(signed.payload).sheet)


def _first_row(text: str) -> re.Match[str]:
    m = re.search(r'<row r="(\d+)"[^>]*>', text)
    assert m
    return m


EMPTY = '<c r="H{n}" s="1" t="n" />'


def _short_text(t: str, r: re.Match[str]) -> re.Match[str]:
    m = re.search(r"<t>([^<]{1,6})</t>", t)
    assert m
    return m


# sheet rewrites under which a fast road without its guards would change what is read
TRICKS: dict[str, object] = {
    # a shown text that spells </c> and an empty cell in CDATA: dropping would change the text
    "cdata_text": lambda t, r: t.replace(
        _short_text(t, r).group(0),
        f"<t>{_short_text(t, r).group(1)}<![CDATA[</c>{EMPTY.format(n=1)}]]></t>",
        1,
    ),
    # a row of another default namespace: its unprefixed empty cell is no cell of a worksheet
    "other_namespace": lambda t, r: t.replace(
        "</sheetData>",
        f'<x:row xmlns:x="{MAIN}" xmlns="urn:x" r="899"><c xmlns="{MAIN}" r="A899"><v>1</v></c>'
        '<c r="B899" s="1" t="n"/></x:row></sheetData>',
        1,
    ),
    # a row whose attribute value swallows an empty cell: not well-formed XML
    "cell_in_attribute": lambda t, r: t.replace(
        r.group(0), r.group(0)[:-1] + ' spans="><c r="H1" s="1" t="n"/>">', 1
    ),
    # empty cells after a self-closed row are children of sheetData: a damaged file
    "after_empty_row": lambda t, r: t.replace(
        "</sheetData>", '<row r="899"/>' + EMPTY.format(n=899) + "</sheetData>", 1
    ),
    # an empty cell inside a cell, after a nested cell: "c" inside "c" is a damaged file either way
    "nested_after_cell": lambda t, r: t.replace(
        "</sheetData>",
        f'<row r="899"><c r="A899"><c r="B899"><v>1</v></c>{EMPTY.format(n=899)}</c></row></sheetData>',
        1,
    ),
    # --- the grammar's guards ---
    # a text with a character reference to a control character: not XML
    "control_character_reference": lambda t, r: t.replace(
        _short_text(t, r).group(0), f"<t>{_short_text(t, r).group(1)}&#1;</t>", 1
    ),
    # a text with a bare ampersand: not XML
    "bare_ampersand": lambda t, r: t.replace(
        _short_text(t, r).group(0), f"<t>{_short_text(t, r).group(1)}&amp</t>", 1
    ),
    # a control character in a row's attribute: not XML
    "control_character_in_row": lambda t, r: t.replace(r.group(0), r.group(0)[:-1] + ' spans="\x011">', 1),
    # a row with an attribute twice: not XML
    "attribute_twice": lambda t, r: t.replace(r.group(0), r.group(0)[:-1] + ' ht="20" ht="30">', 1),
    # a second sheetData with a text of its own
    "second_sheet_data": lambda t, r: t.replace(
        "</sheetData>",
        '</sheetData><sheetData><row r="899"><c r="A899" t="inlineStr"><is><t>追記</t></is></c></row></sheetData>',
        1,
    ),
    # U+FFFF in a text: not an XML character
    "noncharacter": lambda t, r: t.replace(
        _short_text(t, r).group(0), f"<t>{_short_text(t, r).group(1)}\uffff</t>", 1
    ),
    # U+FFFE in a row's attribute: not an XML character
    "noncharacter_in_row": lambda t, r: t.replace(r.group(0), r.group(0)[:-1] + ' spans="1\ufffe">', 1),
    # a row that declares another default namespace: its cells are no cells of a worksheet
    "namespace_on_row": lambda t, r: t.replace(r.group(0), r.group(0)[:-1] + ' xmlns="urn:x">', 1),
    # the cells closed twice: what follows the first close is outside the sheet's cells
    "sheet_data_closed_twice": lambda t, r: t.replace("</sheetData>", "</sheetData></sheetData>", 1),
    # a merged range that ends before it starts: a damaged file
    "reversed_merge": lambda t, r: re.sub(r'<mergeCell ref="[^"]*"', '<mergeCell ref="C5:A1"', t, count=1),
    # a merged range written outside <mergeCells>: a damaged file
    "stray_merge": lambda t, r: t.replace("</sheetData>", '</sheetData><mergeCell ref="A1:B1"/>', 1),
    # a second list of merged ranges: the cells it covers are hidden all the same
    "second_merge_list": lambda t, r: t.replace(
        "<printOptions", '<mergeCells count="1"><mergeCell ref="A2:M2"/></mergeCells><printOptions', 1
    ),
    # a text hidden under a merge written with a space before the slash
    "merge_hides_text": lambda t, r: t.replace("</mergeCells>", '<mergeCell ref="A1:A60" /></mergeCells>', 1),
}


def _rewritten(world, tmp_path, monkeypatch, name: str, change) -> tuple[tuple, tuple]:  # type: ignore[no-untyped-def]
    """The genuine submission with its first measure sheet rewritten by ``change``, verified with the
    fast roads and with the plain parse."""
    p = Package(world.submission)
    part = _measure_part(p, world)
    text = p.text(part)
    p.set(part, change(text, _first_row(text)))
    out = tmp_path / f"R08_S001_{name}.xlsx"
    p.write(out)
    return _both(out, world.trust, monkeypatch)


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_a_rewrite_that_would_make_dropping_matter_gets_the_same_reasons(world, tmp_path, monkeypatch, name):
    fast, slow = _rewritten(world, tmp_path, monkeypatch, name, TRICKS[name])
    assert fast == slow
    assert fast[0] is False, fast  # each of them is refused


def test_every_hostile_file_gets_the_same_reasons(world, tmp_path, monkeypatch):
    signed = read_signed(world.submission)
    signed.reader.close()
    target = find_target(signed.payload)
    for case in cases():
        out = tmp_path / f"R08_S001_{case.name}.xlsx"
        case.build(world.submission, out, target)
        if not out.is_file():
            continue
        fast, slow = _both(out, world.trust, monkeypatch)
        assert fast == slow, case.name


# rewrites the grammar reads as the parser does: the file still verifies, or not, the same either way
FAKE = '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>偽の表示</t></is></c></row></sheetData>'
SAME: dict[str, object] = {
    # a comment in front of the cells that spells other cells: they are no cells
    "sheet_data_in_comment": lambda t, r: t.replace("<sheetData>", f"<!-- {FAKE} --><sheetData>", 1),
    # a processing instruction that spells other cells
    "sheet_data_in_instruction": lambda t, r: t.replace("<sheetData>", f"<?x {FAKE}?><sheetData>", 1),
    # a text written with the predefined entities and character references
    "entities": lambda t, r: t.replace(
        _short_text(t, r).group(0),
        "<t>" + "".join(f"&#{ord(ch)};" for ch in _short_text(t, r).group(1)) + "</t>",
        1,
    ),
    # a number written with its type left out
    "number_without_type": lambda t, r: re.sub(
        r'(<c r="[A-Z]+\d+" s="\d+") t="n"><v>', r"\1><v>", t, count=1
    ),
    # a text that spells the words the grammar looks for outside the cells, in full-width forms too
    "markup_words_in_text": lambda t, r: t.replace(
        _short_text(t, r).group(0),
        f"<t>{_short_text(t, r).group(1)} xmlns=&quot;urn:x&quot; &lt;sheetData&gt; ｘｍｌｎｓ￥\uffef</t>",
        1,
    ),
    # a carriage return in a text (a parser reads a line feed)
    "carriage_return": lambda t, r: t.replace(
        _short_text(t, r).group(0), f"<t>{_short_text(t, r).group(1)}\r\n</t>", 1
    ),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_a_rewrite_the_grammar_reads_gets_the_same_verdict(world, tmp_path, monkeypatch, name):
    fast, slow = _rewritten(world, tmp_path, monkeypatch, name, SAME[name])
    assert fast == slow


# what a remembered layout leaves to each file (appearance._known_layout): the texts of its header and
# footer and its dimension. Each rewrite is verified after the genuine file, whose layouts are then
# remembered; ``True``: the layout is the genuine one's, so the remembered road is taken
def _header(t: str) -> re.Match[str]:
    m = re.search(r"<oddHeader>([^<]*)</oddHeader>", t)
    assert m
    return m


LAYOUT: dict[str, tuple[object, bool]] = {
    # another section's name in the header: what a person prints is not what was signed
    "other_header_text": (lambda t: t.replace(_header(t).group(1), "&amp;L偽の課", 1), True),
    # a footer that says something else
    "other_footer_text": (
        lambda t: re.sub(r"<oddFooter>[^<]*</oddFooter>", "<oddFooter>&amp;C別紙</oddFooter>", t, count=1),
        True,
    ),
    # an entity XML does not define, a reference to a control character, a bare ampersand: not XML
    "header_undefined_entity": (
        lambda t: t.replace(_header(t).group(1), _header(t).group(1) + "&nbsp;", 1),
        True,
    ),
    "header_control_character": (
        lambda t: t.replace(_header(t).group(1), _header(t).group(1) + "&#1;", 1),
        True,
    ),
    "header_bare_ampersand": (lambda t: t.replace(_header(t).group(1), _header(t).group(1) + " & ", 1), True),
    # a range that ends before it starts, one beyond the limits
    "dimension_reversed": (
        lambda t: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="M65:A1"', t, count=1),
        True,
    ),
    "dimension_beyond_limits": (  # (refused before the layout is looked up)
        lambda t: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', t, count=1),
        False,
    ),
    # the header written with an attribute, inside another header element, twice: another layout
    "header_with_attribute": (
        lambda t: t.replace("<oddHeader>", '<oddHeader xml:space="preserve">', 1),
        False,
    ),
    "header_nested": (
        lambda t: t.replace(
            _header(t).group(0), f"<oddHeader><oddFooter>{_header(t).group(1)}</oddFooter></oddHeader>", 1
        ),
        False,
    ),
    "header_twice": (
        lambda t: t.replace(
            _header(t).group(0), _header(t).group(0) + "<oddHeader>&amp;L偽の課</oddHeader>", 1
        ),
        False,
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_a_file_with_a_remembered_layout_is_read_as_the_parser_reads_it(world, tmp_path, monkeypatch, name):
    change, same_layout = LAYOUT[name]
    appearance._LAYOUTS.clear()
    assert verify_submission(world.submission, world.trust).ok  # its layouts are remembered now
    remembered = len(appearance._LAYOUTS)
    assert remembered >= 3
    hits: list[str] = []
    real = appearance._known_layout

    def spy(reader, pkg, scan, part, split, key):  # type: ignore[no-untyped-def]
        hits.append(f"{Path(reader.path).name}/{part}")
        return real(reader, pkg, scan, part, split, key)

    monkeypatch.setattr(appearance, "_known_layout", spy)
    fast, slow = _rewritten(world, tmp_path, monkeypatch, name, lambda t, _r: change(t))  # type: ignore[operator]
    assert fast == slow
    assert fast[0] is False, fast  # each is refused
    part = _measure_part(Package(world.submission), world)
    assert (f"R08_S001_{name}.xlsx/{part}" in hits) is same_layout


def test_the_same_layout_is_remembered_once_and_read_again_alike(world, monkeypatch):
    """The genuine file verified twice: the second time every sheet with a header takes the remembered
    layout, and the verdict is the same."""
    appearance._LAYOUTS.clear()
    first = verify_submission(world.submission, world.trust)
    hits: list[str] = []
    real = appearance._known_layout

    def spy(reader, pkg, scan, part, split, key):  # type: ignore[no-untyped-def]
        hits.append(part)
        return real(reader, pkg, scan, part, split, key)

    monkeypatch.setattr(appearance, "_known_layout", spy)
    second = verify_submission(world.submission, world.trust)
    assert (first.ok, first.codes, first.message) == (second.ok, second.codes, second.message) and first.ok
    assert len(hits) == len(appearance._LAYOUTS) >= 3


def test_the_genuine_file_takes_the_grammar_for_every_sheet_and_verifies(world, monkeypatch):
    used: list[bool] = []
    real = appearance.split_sheet

    def spy(data: bytes) -> sheet_grammar.SplitSheet | None:
        got = real(data)
        used.append(got is not None)
        return got

    monkeypatch.setattr(appearance, "split_sheet", spy)
    v = verify_submission(world.submission, world.trust)
    assert v.ok, v.message
    assert len(used) >= 3 and all(used)  # every sheet dxdesk writes, the payload sheet included


def _scan(reader: XlsxReader, part: str) -> object:
    """A sheet's scan, the problems it found, or the error it raised."""
    pkg = appearance.Package()
    pkg.xfs, pkg.fonts, pkg.fills = [(0, 0, 0)], [appearance.Font(11, None)], [None]
    try:
        scan = appearance._scan_sheet(reader, pkg, "001-01", part)
    except UnreadableWorkbook as exc:
        return ("error", exc.code, str(exc))
    except appearance._Malformed as exc:  # a damaged file (scan_package says so)
        return ("malformed", str(exc))
    return (scan, pkg.problems)


# pieces of sheet XML a change inserts: markup of every kind the grammar must read or refuse alike
SNIPPETS = [
    "",
    "<",
    ">",
    "&amp;",
    "&#10;",
    "&#x1F;",
    "\r",
    "_x000D_",
    '<c r="Z9" s="2" t="n" />',
    '<c r="A1"><v>1</v></c>',
    '<c r="B2" t="inlineStr"><is><t>あ</t></is></c>',
    '<c r="B2" t="s"><v>0</v></c>',
    '<c r="C3"><f>1+1</f><v>2</v></c>',
    '<row r="999" hidden="1">',
    "</row>",
    '<mergeCell ref="A1:B2" />',
    '<mergeCell ref="B2:A1" />',
    "<!-- x -->",
    "<![CDATA[x]]>",
    "]]>",
    ' xml:space="preserve"',
    ' ht="2"',
    '"',
    "\x01",
    "\uffff",
    "\ufffe",
    "\uff10",  # a full-width digit: the lead byte EF, as U+FFFE/U+FFFF have
    "\uffef",
    ' xmlns="urn:x"',
    "</sheetData>",
    "\u3042",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_change_of_a_sheet_scans_alike_with_and_without_the_grammar(world, monkeypatch, data):
    """Property: a sheet changed anywhere (bytes cut out, a piece of markup or any bytes put in) gives the same scan,
    problems or error with the grammar as with the plain parse."""
    p = Package(world.submission)
    part = _measure_part(p, world)
    raw = p.text(part).encode("utf-8")
    at = data.draw(st.integers(0, len(raw)), label="at")
    cut = data.draw(st.integers(0, 12), label="cut")
    piece = data.draw(
        st.one_of(
            st.sampled_from(SNIPPETS).map(lambda x: x.encode("utf-8")), st.binary(min_size=1, max_size=3)
        ),
        label="piece",
    )
    changed = raw[:at] + piece + raw[at + cut :]
    p.set(part, changed)
    out = Path(world.submission).parent / "changed-sheet.xlsx"
    p.write(out)
    reader = XlsxReader(out)
    try:
        fast = _scan(reader, part)
    finally:
        reader.close()
    with monkeypatch.context() as m:
        _plain(m)
        reader = XlsxReader(out)
        try:
            slow = _scan(reader, part)
        finally:
            reader.close()
    assert fast == slow
