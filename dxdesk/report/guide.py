"""The printable 操作の手引き: the guide's pages (:mod:`dxdesk.guide`) as an A4 PDF the central office
hands out — a title page, the contents with page numbers, then 「課の入力担当の方へ」 and 「中央の担当課の
方へ」, each page with its screenshots. Japanese text in the embedded print font (IPAex on Linux,
:mod:`dxdesk.report.fonts`), written atomically.

    dxdesk guide --out 操作の手引き.pdf [--font FILE]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from dxdesk import __version__
from dxdesk.files import atomic_path
from dxdesk.guide import GUIDE_TITLE, PARTS, GuidePage, shot_path
from dxdesk.report.errors import PrintError
from dxdesk.report.fonts import PrintFont, find_font

__all__ = ["GuideResult", "make_guide_pdf"]

MARGIN = 18 * mm
ACCENT = colors.HexColor("#1f4e79")
DIALOG_SCALE = 0.6  # points per screen pixel for a dialog


@dataclass(frozen=True)
class GuideResult:
    path: Path
    pages: int
    images: int
    missing_shots: tuple[str, ...]  # screenshots the pages name that are not in resources/guide


class _Doc(BaseDocTemplate):
    """Notes every chapter heading for the contents (two passes: the page numbers settle)."""

    def afterFlowable(self, flowable: Any) -> None:
        if isinstance(flowable, Paragraph):
            level = {"part": 0, "chapter": 1}.get(flowable.style.name)
            if level is not None:
                key = f"h{self.seq.nextf('heading')}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level)
                self.notify("TOCEntry", (level, flowable.getPlainText(), self.page, key))


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", base, fontSize=28, leading=38, alignment=TA_CENTER, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=14, leading=22, alignment=TA_CENTER),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
        "part": ParagraphStyle(
            "part", base, fontSize=20, leading=28, textColor=ACCENT, spaceBefore=4, spaceAfter=10
        ),
        "chapter": ParagraphStyle(
            "chapter",
            base,
            fontSize=14,
            leading=20,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=6,
            keepWithNext=True,
        ),
        "caption": ParagraphStyle(
            "caption", base, fontSize=9, leading=13, textColor=colors.HexColor("#444444")
        ),
        "contents": ParagraphStyle(
            "contents", base, fontSize=18, leading=26, textColor=ACCENT, spaceAfter=12
        ),
        "toc0": ParagraphStyle("toc0", base, fontSize=12, leading=20, spaceBefore=8),
        "toc1": ParagraphStyle("toc1", base, fontSize=10.5, leading=17, leftIndent=14 * mm),
    }


def _markup(text: str, font: PrintFont) -> str:
    """The guide's ``<b>`` as the accent colour (the Japanese print font has no bold face)."""
    colour = "#" + ACCENT.hexval()[2:]
    return re.sub(r"<b>(.*?)</b>", rf'<font color="{colour}">\1</font>', font.printable(text))


def _page_flowables(page: GuidePage, font: PrintFont, st: dict[str, ParagraphStyle], width: float) -> list:
    out: list[Any] = [Paragraph(font.printable(page.title), st["chapter"])]
    out += [Paragraph(_markup(text, font), st["body"]) for text in page.paragraphs]
    if page.keys:
        rows = [
            [Paragraph(font.printable(k), st["body"]), Paragraph(font.printable(v), st["body"])]
            for k, v in page.keys
        ]
        table = Table(rows, colWidths=[width * 0.4, width * 0.6])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font.name),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef3f8")),
                ]
            )
        )
        out.append(table)
    for shot in page.shots:
        path = shot_path(shot)
        if not path.is_file():
            continue
        image = Image(str(path))
        # a window fills the width; a dialog (narrower) is printed larger, its text as big as in print
        scale = min(width / image.imageWidth, DIALOG_SCALE)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        framed = Table(
            [[image]],
            style=[
                ("FONTNAME", (0, 0), (-1, -1), font.name),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ],
        )
        caption = Paragraph(font.printable(f"図　{shot.caption}"), st["caption"])
        out += [Spacer(1, 2 * mm), framed, Spacer(1, 1.5 * mm), caption, Spacer(1, 3 * mm)]
    # a chapter, its text and its screenshots on one sheet of paper (each fits; one that did not would split)
    return [KeepTogether(out)]


def make_guide_pdf(out: Path | str, font_path: Path | str | None = None) -> GuideResult:
    """Write the printable guide to ``out`` (atomically). Raises :class:`PrintError` (no usable font,
    a file that cannot be written) with a Japanese message."""
    out = Path(out)
    font = find_font(font_path)
    st = _styles(font.name)
    width = A4[0] - 2 * MARGIN
    story: list[Any] = []
    missing: list[str] = []
    images = 0

    # title page
    story += [
        Spacer(1, 70 * mm),
        Paragraph(font.printable(GUIDE_TITLE), st["title"]),
        Spacer(1, 8 * mm),
        Paragraph(font.printable("施策評価シートの入力・提出と、中央での取りまとめ・審査"), st["subtitle"]),
        Spacer(1, 60 * mm),
    ]
    for _title, who, _pages in PARTS:
        story.append(Paragraph(font.printable(f"{_title}：{who}"), st["center"]))
    story += [
        Spacer(1, 10 * mm),
        Paragraph(font.printable(f"この手引きの画面は dxdesk {__version__} のものです。"), st["center"]),
        NextPageTemplate("body"),
        PageBreak(),
    ]

    # contents
    toc = TableOfContents(
        tableStyle=TableStyle(
            [
                (
                    "FONTNAME",
                    (0, 0),
                    (-1, -1),
                    font.name,
                ),  # reportlab's default cell font is Helvetica (not embedded)
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    toc.levelStyles = [st["toc0"], st["toc1"]]
    toc.dotsMinLevel = 0
    story += [Paragraph(font.printable("目次"), st["contents"]), toc, PageBreak()]

    for n, (title, who, pages) in enumerate(PARTS, start=1):
        if n > 1:
            story.append(PageBreak())
        story.append(Paragraph(font.printable(f"第{n}部　{title}"), st["part"]))
        story.append(Paragraph(font.printable(f"{who}のための章です。"), st["body"]))
        for page in pages:
            story += _page_flowables(page, font, st, width)
            for shot in page.shots:
                if shot_path(shot).is_file():
                    images += 1
                else:
                    missing.append(shot.file)

    def title_page(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, A4[1] - 30 * mm, A4[0], 30 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def body_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font.name, 8.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, A4[1] - 12 * mm, font.printable(GUIDE_TITLE))
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {doc.page} —")
        canvas.restoreState()

    frame = Frame(MARGIN, MARGIN, width, A4[1] - 2 * MARGIN, id="main")
    try:
        with atomic_path(out) as tmp:
            doc = _Doc(
                str(tmp),
                pagesize=A4,
                title=GUIDE_TITLE,
                author="dxdesk",
                subject="操作の手引き",
                creator=f"dxdesk {__version__}",
                initialFontName=font.name,
                leftMargin=MARGIN,
                rightMargin=MARGIN,
                topMargin=MARGIN,
                bottomMargin=MARGIN,
            )
            doc.addPageTemplates(
                [
                    PageTemplate("title", [frame], onPage=title_page),
                    PageTemplate("body", [frame], onPage=body_page),
                ]
            )
            doc.multiBuild(story)
            pages = doc.page
    except PermissionError as exc:
        raise PrintError(
            f"PDFファイル「{out.name}」に書き込めません。PDFを表示ソフトで開いている場合は閉じてから、"
            "もう一度作成してください（保存先フォルダに書き込めるかも確かめてください）。"
        ) from exc
    return GuideResult(out, pages, images, tuple(missing))
