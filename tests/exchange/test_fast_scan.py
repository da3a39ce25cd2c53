"""The appearance check drops runs of empty cells from a sheet's bytes before parsing it (a quarter of
the parsing, half of the cell loop). That must never change a verdict: every hostile file and every
file built to make the dropping matter gets exactly the reasons it gets when the sheet is parsed as it
is, and the genuine file still verifies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dxdesk.exchange import appearance
from dxdesk.exchange.signed import read_signed
from dxdesk.exchange.submission import verify_submission
from tests.exchange.hostile import MAIN, Package, cases, find_target


def _both(path: Path, trust, monkeypatch) -> tuple[tuple, tuple]:
    fast = verify_submission(path, trust)
    with monkeypatch.context() as m:
        m.setattr(appearance, "_empty_cells_droppable", lambda data: False)
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


# sheet rewrites under which dropping empty cells without the guards would change what is read
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
}


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_a_rewrite_that_would_make_dropping_matter_gets_the_same_reasons(world, tmp_path, monkeypatch, name):
    p = Package(world.submission)
    part = _measure_part(p, world)
    text = p.text(part)
    p.set(part, TRICKS[name](text, _first_row(text)))  # type: ignore[operator]
    out = tmp_path / f"R08_S001_{name}.xlsx"
    p.write(out)
    fast, slow = _both(out, world.trust, monkeypatch)
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


def test_the_genuine_file_is_dropped_from_and_still_verifies(world, monkeypatch):
    used: list[bool] = []
    real = appearance._empty_cells_droppable

    def spy(data: bytes) -> bool:
        used.append(real(data))
        return used[-1]

    monkeypatch.setattr(appearance, "_empty_cells_droppable", spy)
    v = verify_submission(world.submission, world.trust)
    assert v.ok, v.message
    assert used and all(used)  # every sheet dxdesk writes takes the fast parse
