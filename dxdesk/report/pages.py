"""Pages: the A4 geometry, the canvas that keeps finished pages small, running header and footer with
「x / y」 page numbers.

Memory: reportlab keeps every finished page until ``save()``, as uncompressed operator text. A 2,000-page
organisation report would hold ~100 MB that way, so :class:`CompactCanvas` compresses each page's
content stream as soon as the page is finished (the PDF is the same; only when it is compressed
changes). Everything else of a page (rows, texts, charts) is dropped when the page is done.

Page totals: the total page count of a document is not known until its last page, and laying the
whole document out twice would double the time. The footer therefore draws 「x / 」 and a PDF form
XObject for the total, whose content is written once at the end (:meth:`PageSink.close`). Viewers,
printers and pdftotext all see an ordinary 「3 / 120」.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from dxdesk.report.fonts import PrintFont

__all__ = [
    "CONTENT_WIDTH",
    "LANDSCAPE_CONTENT_WIDTH",
    "MARGIN_X",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "CompactCanvas",
    "PageSink",
    "RunningHeader",
]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 13 * mm
MARGIN_TOP = 11 * mm
MARGIN_BOTTOM = 11 * mm
HEADER_HEIGHT = 16.0  # running header band, below the top margin
FOOTER_HEIGHT = 14.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
CONTENT_TOP = PAGE_HEIGHT - MARGIN_TOP - HEADER_HEIGHT
CONTENT_BOTTOM = MARGIN_BOTTOM + FOOTER_HEIGHT
# A4 landscape, for a format that prints a wide table (Sasebo's KPI table: 予定/実績 R3–R9 and two texts)
LANDSCAPE_WIDTH, LANDSCAPE_HEIGHT = PAGE_HEIGHT, PAGE_WIDTH
LANDSCAPE_CONTENT_WIDTH = LANDSCAPE_WIDTH - 2 * MARGIN_X
LANDSCAPE_CONTENT_TOP = LANDSCAPE_HEIGHT - MARGIN_TOP - HEADER_HEIGHT

GREY = Color(0.35, 0.35, 0.35)
TOTAL_FORM = "dxdeskPageTotal"


class CompactCanvas(Canvas):
    """A reportlab canvas that compresses each page's content stream when the page is finished."""

    def showPage(self) -> None:
        super().showPage()
        page = self._doc.Pages.pages[-1]
        stream = page.stream
        if stream is not None and not page.Contents:
            data = stream.encode("latin-1") if isinstance(stream, str) else stream
            compressed = pdfdoc.PDFStream(content=zlib.compress(data, 6))
            compressed.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            page.Contents = compressed
            page.stream = None

    @property
    def page_count(self) -> int:
        return len(self._doc.Pages.pages)

    def move_to_front(self, first: int) -> None:
        """Move the finished pages from index ``first`` on to the front of the document.

        The organisation report draws its sheets before its overview, which lists the page of every
        sheet, and then puts the overview first; pages refer to each other by object, not by index."""
        pages = self._doc.Pages.pages
        self._doc.Pages.pages = pages[first:] + pages[:first]


@dataclass
class RunningHeader:
    """What the top and bottom lines of a page say."""

    left: str = ""
    right: str = ""
    footer_left: str = ""


class PageSink:
    """Pages of one document, drawn on a canvas, or only counted (``canvas=None``) for a table of
    contents. ``pages`` counts the pages made (the document's total); ``number`` is the number printed
    on the current page, which :meth:`renumber` can move ahead when front pages are drawn last."""

    def __init__(
        self,
        canvas: CompactCanvas | None,
        font: PrintFont,
        *,
        on_page: Callable[[int], None] | None = None,
    ):
        self.canvas = canvas
        self.font = font
        self.on_page = on_page
        self.pages = 0
        self.number = 0
        self.open = False
        self.header = RunningHeader()
        self.numbered = True
        self.landscape = False  # orientation of the pages started from now on

    @property
    def page_width(self) -> float:
        return LANDSCAPE_WIDTH if self.landscape else PAGE_WIDTH

    @property
    def page_height(self) -> float:
        return LANDSCAPE_HEIGHT if self.landscape else PAGE_HEIGHT

    @property
    def content_width(self) -> float:
        return LANDSCAPE_CONTENT_WIDTH if self.landscape else CONTENT_WIDTH

    @property
    def content_top(self) -> float:
        return LANDSCAPE_CONTENT_TOP if self.landscape else CONTENT_TOP

    @property
    def drawing(self) -> bool:
        return self.canvas is not None

    def new_page(self, header: RunningHeader | None = None, *, numbered: bool = True) -> None:
        if self.open:
            self.end_page()
        if header is not None:
            self.header = header
        self.numbered = numbered
        self.pages += 1
        self.number += 1
        self.open = True
        if self.canvas is not None:
            self.canvas.setPageSize((self.page_width, self.page_height))
            self._decorate(self.canvas)

    def renumber(self, next_number: int) -> None:
        """The next page started gets ``next_number``."""
        self.number = next_number - 1

    def end_page(self) -> None:
        if not self.open:
            return
        self.open = False
        if self.canvas is not None:
            self.canvas.showPage()
        if self.on_page is not None:
            self.on_page(self.number)

    def close(self) -> None:
        """Finish the last page and write the total into the page-number form."""
        self.end_page()
        c = self.canvas
        if c is not None:
            c.beginForm(TOTAL_FORM)
            c.setFont(self.font.name, 8)
            c.setFillColor(GREY)
            c.drawString(0, 0, str(self.pages))
            c.endForm()

    # --- decoration ---------------------------------------------------------------------------
    def _fit(self, text: str, size: float, width: float) -> str:
        font = self.font
        if font.width(text, size) <= width:
            return text
        while text and font.width(text + "…", size) > width:
            text = text[:-1]
        return text + "…"

    def _decorate(self, c: Any) -> None:
        font = self.font
        h = self.header
        size = 7.5
        c.setFont(font.name, size)
        c.setFillColor(GREY)
        top = self.page_height - MARGIN_TOP - size
        half = self.content_width / 2 - 6
        left = self._fit(font.printable(h.left), size, half)
        right = self._fit(font.printable(h.right), size, self.content_width - font.width(left, size) - 12)
        c.drawString(MARGIN_X, top, left)
        c.drawRightString(self.page_width - MARGIN_X, top, right)
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.line(MARGIN_X, top - 4, self.page_width - MARGIN_X, top - 4)
        y = MARGIN_BOTTOM + 2
        if h.footer_left:
            c.drawString(MARGIN_X, y, self._fit(font.printable(h.footer_left), size, half - 30))
        if self.numbered:
            c.setFont(font.name, 8)
            center = self.page_width / 2
            c.drawRightString(center, y, f"{self.number} / ")
            c.saveState()
            c.translate(center, y)
            c.doForm(TOTAL_FORM)
            c.restoreState()
        c.setFillColor(Color(0, 0, 0))
        c.setStrokeColor(Color(0, 0, 0))
