"""Colours as Excel shows them (dxdesk.exchange.colours): the verifier's answer to "can this text be
seen?" is only as good as its reading of rgb, theme, indexed and tinted colours."""

from __future__ import annotations

from xml.etree.ElementTree import Element, fromstring

import pytest
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.writer.theme import theme_xml

from dxdesk.exchange.appearance import header_problem
from dxdesk.exchange.colours import (
    MIN_CONTRAST,
    OFFICE,
    contrast,
    is_symbol_font,
    resolve,
    theme_palette,
    with_indexed,
)


def _color(**attrs: str) -> Element:
    return Element("color", attrs)


@pytest.mark.parametrize(
    ("attrs", "shown"),
    [
        ({"rgb": "FF000000"}, "000000"),
        ({"rgb": "00FEFEFE"}, "FEFEFE"),  # Excel ignores the alpha
        ({"rgb": "fefefe"}, "FEFEFE"),
        ({"rgb": "FFGG0000"}, None),  # not a colour
        ({"theme": "0"}, "FFFFFF"),  # Background 1 (lt1)
        ({"theme": "1"}, "000000"),  # Text 1 (dk1)
        ({"theme": "2"}, "EEECE1"),  # Background 2 (lt2)
        ({"theme": "3"}, "1F497D"),  # Text 2 (dk2)
        ({"theme": "4"}, "4F81BD"),  # Accent 1
        ({"theme": "12"}, None),
        ({"theme": "0", "tint": "-0.0499893185216834"}, "F2F2F2"),  # "White, Background 1, Darker 5%"
        ({"theme": "0", "tint": "-0.499984740745262"}, "7F7F7F"),  # "… Darker 50%"
        ({"theme": "1", "tint": "0.499984740745262"}, "7F7F7F"),  # "Black, Text 1, Lighter 50%"
        ({"theme": "1", "tint": "0.249977111117893"}, "404040"),
        ({"theme": "1", "tint": "2"}, None),  # beyond −1…1
        ({"indexed": "1"}, "FFFFFF"),
        ({"indexed": "8"}, "000000"),
        ({"indexed": "22"}, "C0C0C0"),
        ({"indexed": "64"}, "000000"),  # system foreground
        ({"indexed": "65"}, "FFFFFF"),  # system background
        ({"indexed": "80"}, None),
        ({"auto": "1"}, "000000"),
        ({}, "000000"),  # a <color/> with nothing: automatic, as a font without a colour
    ],
)
def test_a_colour_is_read_as_excel_shows_it(attrs, shown):
    got = resolve(_color(**attrs), OFFICE, missing="000000")
    if shown is None or got is None:
        assert got == shown
    else:  # (Excel computes tints in whole steps of 1/255: a channel may differ by one)
        assert all(abs(int(got[i : i + 2], 16) - int(shown[i : i + 2], 16)) <= 1 for i in (0, 2, 4)), got


def test_no_colour_element_is_what_the_caller_says():
    assert resolve(None, OFFICE, missing="000000") == "000000"
    assert resolve(None, OFFICE) is None


def test_the_legacy_palette_is_excels():
    # openpyxl's table, an independent copy of the same 64 colours
    assert [resolve(_color(indexed=str(i)), OFFICE) for i in range(64)] == [c[-6:] for c in COLOR_INDEX]


def test_a_style_sheet_may_redefine_the_legacy_colours():
    palette = with_indexed(OFFICE, ["FFFFFF", "FFFFFF"])  # index 0 (black) made white
    assert resolve(_color(indexed="0"), palette) == "FFFFFF"
    assert resolve(_color(indexed="2"), palette) == "FF0000"  # the rest as before
    assert resolve(_color(indexed="64"), palette) == "000000"


@pytest.mark.parametrize(
    ("text", "background", "seen"),
    [
        ("000000", "FFFFFF", True),  # 21
        ("000000", "F2F2F2", True),  # dxdesk's label cells
        ("808080", "FFFFFF", True),
        ("BFBFBF", "FFFFFF", True),  # faint, but there (1.86)
        ("D9D9D9", "FFFFFF", False),  # 1.45
        ("EEECE1", "FFFFFF", False),  # Background 2 on white (1.17)
        ("FEFEFE", "FFFFFF", False),
        ("FFFFFF", "FFFFFF", False),
        ("000000", "000000", False),
        ("111111", "000000", False),
        ("000040", "000080", False),  # dark blue on navy
        ("FFFFFF", "1F4E78", True),  # white on dark blue
    ],
)
def test_text_is_seen_where_it_stands_out_from_its_background(text, background, seen):
    assert (contrast(text, background) >= MIN_CONTRAST) is seen
    assert contrast(text, background) == pytest.approx(contrast(background, text))


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("Wingdings", True),
        ("wingdings 2", True),
        ("Webdings", True),
        ("Symbol", True),
        (" Marlett ", True),
        ("游ゴシック", False),
        ("BIZ UDゴシック", False),
        ("Calibri", False),
        ("", False),
        (None, False),
    ],
)
def test_symbol_fonts(name, symbol):
    assert is_symbol_font(name) is symbol


def test_the_theme_openpyxl_writes_is_the_office_theme():
    palette, faces = theme_palette(fromstring(theme_xml))
    assert palette == OFFICE
    assert "Calibri" in faces and not any(is_symbol_font(f) for f in faces)


def test_a_theme_colour_written_with_a_transformation_cannot_be_told():
    text = theme_xml.replace(
        '<a:srgbClr val="1F497D"/>', '<a:srgbClr val="1F497D"><a:lumMod val="10000"/></a:srgbClr>'
    )
    assert text != theme_xml
    palette, _faces = theme_palette(fromstring(text))
    assert palette.theme[3] is None and palette.theme[:3] == OFFICE.theme[:3]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("&L&9 電子申請推進課&C&9 001-01&R&9 令和8年度", None),  # as dxdesk writes it
        ('&L&"游ゴシック,標準"&11&K000000電子申請推進課', None),  # as LibreOffice may
        ("&L&&1 は記号", None),  # an escaped ampersand, not a size
        ("&L&1 電子申請推進課", "小さすぎる文字（1pt）"),
        ("&L&5電子申請推進課", "小さすぎる文字（5pt）"),
        ("&L&KFFFFFF電子申請推進課", "見えない色（#FFFFFF）"),
        ("&L&KFEFEFE電子申請推進課", "見えない色（#FEFEFE）"),
        ("&L&K00+000電子申請推進課", "見えない色（#FFFFFF）"),  # theme 0 (white), no tint
        ("&L&K01+050電子申請推進課", None),  # black lightened 50 %: grey
        ("&L&K01-020電子申請推進課", None),
        ('&L&"Wingdings,Regular"電子申請推進課', "記号のフォント（Wingdings）"),
        ("&L&S電子申請推進課", "取り消し線付きの文字"),
        ("&L&X電子申請推進課", "上付き・下付きの小さな文字"),
    ],
)
def test_a_header_is_seen_as_its_codes_print_it(text, problem):
    assert header_problem(text, OFFICE) == problem
