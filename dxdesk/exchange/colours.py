"""Colours as Excel shows them, for the verifier's question "can a person see this text?".

A workbook names a colour in four ways (ECMA-376 CT_Color): ``rgb`` (ARGB; Excel ignores the alpha),
``theme`` (an index into the colour scheme of the workbook's own theme part, which the sender can
change), ``indexed`` (the legacy palette of 64, which styles.xml may redefine) and ``auto`` (the
window's text colour); any of them may carry a ``tint`` that lightens or darkens it. A font without a
colour is automatic (black); a cell without a fill shows the window's background (white).

Text is taken as invisible where its colour and its background differ by less than
:data:`MIN_CONTRAST` in WCAG's contrast ratio (1.0 for equal colours, 21 for black on white): near-white
on white (FEFEFE, 1.01), Excel's "Background 2" (EEECE1, 1.17) or light grey D9D9D9 (1.45) count as
invisible; grey BFBFBF (1.86) and everything dxdesk writes (black on F2F2F2, 18.1) do not.

Symbol fonts (Wingdings and the like) show letters and digits as pictures: text in them cannot be read.
"""

from __future__ import annotations

import colorsys
import functools
from dataclasses import dataclass
from xml.etree.ElementTree import Element

__all__ = [
    "MIN_CONTRAST",
    "OFFICE",
    "SCHEME",
    "Palette",
    "contrast",
    "hex_colour",
    "is_symbol_font",
    "resolve",
    "theme_palette",
    "with_indexed",
]

MIN_CONTRAST = 1.5
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

# Excel's legacy palette (indexes 0–63), then the system foreground (64) and background (65)
_INDEXED: tuple[str | None, ...] = tuple(
    """000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00
    FF00FF 00FFFF 800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF
    660066 FF8080 0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF
    CCFFCC FFFF99 99CCFF FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696
    003366 339966 003300 333300 993300 993366 333399 333333 000000 FFFFFF""".split()  # noqa: SIM905
)
# the colour scheme's entries in the order of a ``theme`` index (Excel swaps the first two pairs)
SCHEME = (
    "lt1",
    "dk1",
    "lt2",
    "dk2",
    "accent1",
    "accent2",
    "accent3",
    "accent4",
    "accent5",
    "accent6",
    "hlink",
    "folHlink",
)
_SYSTEM = {"windowText": "000000", "window": "FFFFFF"}
_SYMBOL_FONTS = frozenset(
    {
        "symbol",
        "webdings",
        "marlett",
        "mt extra",
        "zapfdingbats",
        "zapf dingbats",
        "dingbats",
        "opensymbol",
        "ms reference specialty",
        "bookshelf symbol 7",
        "segoe mdl2 assets",
        "segoe fluent icons",
        "holomdl2 assets",
    }
)


@dataclass(frozen=True)
class Palette:
    """The colours a workbook's ``theme`` and ``indexed`` references stand for (None: one that cannot
    be told, e.g. a scheme colour written with transformations)."""

    theme: tuple[str | None, ...]
    indexed: tuple[str | None, ...] = _INDEXED


# the Office theme (2007–2010), which openpyxl writes and a workbook without a theme part has
OFFICE = Palette(
    (
        "FFFFFF",
        "000000",
        "EEECE1",
        "1F497D",
        "4F81BD",
        "C0504D",
        "9BBB59",
        "8064A2",
        "4BACC6",
        "F79646",
        "0000FF",
        "800080",
    )
)


def hex_colour(value: str | None) -> str | None:
    if value is None or len(value) not in (6, 8):
        return None
    try:
        int(value, 16)
    except ValueError:
        return None
    return value[-6:].upper()


def resolve(el: Element | None, palette: Palette, *, missing: str | None = None) -> str | None:
    """The colour of a CT_Color element as ``RRGGBB``; ``missing`` where there is no element; None
    where it cannot be told."""
    if el is None:
        return missing
    colour: str | None
    if (rgb := el.get("rgb")) is not None:
        colour = hex_colour(rgb)
    elif (theme := el.get("theme")) is not None:
        i = _index(theme)
        colour = palette.theme[i] if 0 <= i < len(palette.theme) else None
    elif (indexed := el.get("indexed")) is not None:
        i = _index(indexed)
        colour = palette.indexed[i] if 0 <= i < len(palette.indexed) else None
    elif el.get("auto") in ("1", "true"):
        colour = "000000"
    else:
        colour = missing
    tint = el.get("tint")
    if colour is not None and tint is not None:
        try:
            colour = _tinted(colour, float(tint))
        except ValueError:
            return None
    return colour


def _index(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


def _tinted(colour: str, tint: float) -> str:
    """ECMA-376 §18.8.19: the lightness in HLS moved towards black (tint < 0) or white (tint > 0)."""
    if not -1.0 <= tint <= 1.0:
        raise ValueError(tint)
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(h, lum, s))


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@functools.lru_cache(maxsize=4096)
def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two ``RRGGBB`` colours (1.0 to 21.0; cached: a workbook has few)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def is_symbol_font(name: str | None) -> bool:
    low = (name or "").strip().lower()
    return low in _SYMBOL_FONTS or low.startswith("wingdings")


def with_indexed(palette: Palette, colours: list[str | None]) -> Palette:
    """``palette`` with the legacy colours a style sheet redefines (``<indexedColors>``, up to 64; the
    system colours 64 and 65 stay)."""
    table = list(colours[:64]) + list(_INDEXED[len(colours[:64]) : 64]) + ["000000", "FFFFFF"]
    return Palette(palette.theme, tuple(table))


def theme_palette(root: Element) -> tuple[Palette, list[str]]:
    """The palette of a theme part and the typefaces of its font scheme (each latin, east Asian,
    complex and per-script font of the major and minor fonts)."""
    scheme = root.find(f"{_A}themeElements/{_A}clrScheme")
    colours: list[str | None] = []
    for name in SCHEME:
        entry = scheme.find(_A + name) if scheme is not None else None
        colours.append(_scheme_colour(entry))
    fonts = root.find(f"{_A}themeElements/{_A}fontScheme")
    faces = [
        el.get("typeface") or ""
        for el in (fonts.iter() if fonts is not None else ())
        if el.tag in (_A + "latin", _A + "ea", _A + "cs", _A + "font")
    ]
    return Palette(tuple(colours)), faces


def _scheme_colour(entry: Element | None) -> str | None:
    if entry is None or len(entry) != 1:
        return None
    (el,) = entry
    if len(el):  # lumMod, alpha, …: a colour computed from this one
        return None
    if el.tag == _A + "srgbClr":
        return hex_colour(el.get("val"))
    if el.tag == _A + "sysClr":
        return hex_colour(el.get("lastClr")) or _SYSTEM.get(el.get("val") or "")
    return None
