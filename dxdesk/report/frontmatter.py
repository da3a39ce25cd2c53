"""Pages before the sheets: the cover, the booklet's contents, and the organisation report's grade
distribution (by 分野 and by 部局), achievement overview and list of audit-readiness findings.

All of them are ordinary ruled tables flowed by :class:`~dxdesk.report.layout.Flow`, so long lists
continue over pages with their header row repeated, exactly like a sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import Color

from dxdesk.report.fonts import PrintFont
from dxdesk.report.layout import Cell, Part, Row, Style, TextBox, head_style, label_style
from dxdesk.report.pages import CONTENT_WIDTH, PAGE_HEIGHT, PAGE_WIDTH, PageSink, RunningHeader
from dxdesk.report.summary import GRADE_COLUMNS, Distribution, MeasureSummary, all_findings

__all__ = ["ContentsEntry", "FrontMatter", "GradeBar"]

W = CONTENT_WIDTH
HEAD = head_style()
LABEL = label_style()
TEXT = Style(size=8.0, valign="middle")
NUM = Style(size=8.0, align="right", valign="middle")
CENTER = Style(size=8.0, align="center", valign="middle")
# Grade colours that stay distinguishable in black-and-white print (light to dark).
GRADE_COLOURS = {
    "A": Color(0.20, 0.40, 0.65),
    "B": Color(0.50, 0.68, 0.85),
    "C": Color(0.93, 0.76, 0.35),
    "D": Color(0.78, 0.33, 0.28),
    "対象外": Color(0.80, 0.80, 0.80),
    "未入力": Color(0.97, 0.97, 0.97),
    "評価なし": Color(0.93, 0.93, 0.93),
}
# 方向性 / 見直し区分 buckets (plans that do not grade A–D) take these in order
OTHER_COLOURS = (
    Color(0.20, 0.40, 0.65),
    Color(0.36, 0.58, 0.42),
    Color(0.50, 0.68, 0.85),
    Color(0.93, 0.76, 0.35),
    Color(0.85, 0.55, 0.30),
    Color(0.78, 0.33, 0.28),
    Color(0.55, 0.45, 0.65),
    Color(0.65, 0.65, 0.65),
)


def bucket_colour(col: str, index: int) -> Color:
    if col in GRADE_COLOURS:
        return GRADE_COLOURS[col]
    return OTHER_COLOURS[index % len(OTHER_COLOURS)]


@dataclass
class GradeBar:
    """A 100 % stacked bar of one row of a distribution table."""

    font: PrintFont
    counts: dict[str, int]
    width: float = 150.0
    height: float = 9.0

    def draw_on(self, canvas: Any, x: float, y: float) -> None:
        total = sum(self.counts.values())
        d = Drawing(self.width, self.height, initialFontName=self.font.name, initialFontSize=6.5)
        if total:
            cx = 0.0
            for index, col in enumerate(self.counts):
                n = self.counts.get(col, 0)
                if not n:
                    continue
                w = self.width * n / total
                d.add(
                    Rect(
                        cx,
                        0,
                        w,
                        self.height,
                        fillColor=bucket_colour(col, index),
                        strokeColor=Color(1, 1, 1),
                        strokeWidth=0.3,
                    )
                )
                if w > 14 and col in "ABCD":
                    d.add(
                        String(
                            cx + w / 2,
                            2.2,
                            col,
                            fontName=self.font.name,
                            fontSize=6.5,
                            textAnchor="middle",
                            fillColor=Color(1, 1, 1) if col in ("A", "D") else Color(0, 0, 0),
                        )
                    )
                cx += w
        renderPDF.draw(d, canvas, x, y)


@dataclass(frozen=True)
class ContentsEntry:
    code: str
    name: str
    section: str
    grade: str
    page: int


class FrontMatter:
    def __init__(self, font: PrintFont, text: TextBox):
        self.font = font
        self.t = text

    def cell(self, text: str, width: float, style: Style = TEXT) -> Cell:
        return self.t.cell(text, width, style)

    # --- cover --------------------------------------------------------------------------------
    def cover(
        self,
        sink: PageSink,
        header: RunningHeader,
        title: str,
        subtitle: str,
        lines: Sequence[tuple[str, str]],
        *,
        today: date | None = None,
    ) -> None:
        sink.new_page(header, numbered=False)
        c = sink.canvas
        if c is None:
            return
        f = self.font
        cx = PAGE_WIDTH / 2
        y = PAGE_HEIGHT * 0.66
        c.setStrokeColor(Color(0.18, 0.29, 0.45))
        c.setLineWidth(1.2)
        c.line(cx - W / 2 + 30, y + 52, cx + W / 2 - 30, y + 52)
        for text, size in ((title, 22.0), (subtitle, 15.0)):
            if not text:
                continue
            c.saveState()
            t = c.beginText()
            t.setFont(f.name, size)
            t.setTextRenderMode(2)
            c.setLineWidth(size * 0.03)
            shown = f.printable(text)
            t.setTextOrigin(cx - f.width(shown, size) / 2, y)
            t.textOut(shown)
            c.drawText(t)
            c.restoreState()
            y -= size * 2.1
        c.setLineWidth(1.2)
        c.line(cx - W / 2 + 30, y + 6, cx + W / 2 - 30, y + 6)
        y = PAGE_HEIGHT * 0.34
        day = today or date.today()
        rows = [*lines, ("作成日", f"{day.year}年{day.month}月{day.day}日")]
        width = 300.0
        x = cx - width / 2
        for label, value in rows:
            c.setFont(f.name, 10)
            c.setFillColor(Color(0.35, 0.35, 0.35))
            c.drawString(x, y, f.printable(label))
            c.setFillColor(Color(0, 0, 0))
            c.drawString(x + 90, y, f.printable(value))
            y -= 20

    # --- contents ------------------------------------------------------------------------------
    def contents(self, entries: Sequence[ContentsEntry], column_title: str = "評価") -> Part:
        col_w = 40.0 if len(column_title) <= 2 else 64.0  # 「見直し区分」「実績未入力」 on one line
        widths = (26.0, 64.0, W - 26 - 64 - 130 - col_w - 40, 130.0, col_w, 40.0)
        header = Row(
            [
                self.cell(t, w, HEAD)
                for t, w in zip(("No", "コード", "名称", "担当課", column_title, "頁"), widths, strict=True)
            ]
        )
        rows = [header]
        for n, e in enumerate(entries, start=1):
            rows.append(
                Row(
                    [
                        self.cell(str(n), widths[0], CENTER),
                        self.cell(e.code, widths[1]),
                        self.cell(e.name, widths[2]),
                        self.cell(e.section, widths[3]),
                        self.cell(e.grade, widths[4], CENTER),
                        self.cell(str(e.page) if e.page else "", widths[5], NUM),
                    ],
                    header=header,
                )
            )
        return Part("目次", rows)

    # --- organisation report -----------------------------------------------------------------
    def distribution(self, title: str, group_label: str, dist: Distribution) -> Part:
        """The plan's own distribution: A–D (+ 対象外・未入力・評価なし) or its 方向性 / 見直し区分 counts."""
        columns = dist.columns
        graded = columns[:4] == GRADE_COLUMNS[:4]
        bar_w = 150.0 if len(columns) <= 8 else 110.0
        num_w = min(34.0, (W - bar_w - 90) / (len(columns) + 1))
        group_w = W - bar_w - num_w * (len(columns) + 1)
        header = Row(
            [self.cell(group_label, group_w, HEAD)]
            + [
                self.cell(col, num_w, head_style(7.2 if len(col) <= 3 or num_w >= 34 else 5.8))
                for col in columns
            ]
            + [self.cell("計", num_w, HEAD), self.cell("分布", bar_w, HEAD)]
        )
        rows = [header]

        def line(name: str, counts: dict[str, int], style: Style) -> Row:
            total = sum(counts.values())
            cells = [self.cell(name, group_w, style)]
            cells += [self.cell(str(counts.get(col, 0)), num_w, NUM) for col in columns]
            cells.append(self.cell(str(total), num_w, NUM))
            cells.append(Cell(bar_w, [], Style(pad=3), graphic=GradeBar(self.font, counts, bar_w - 6, 9.0)))
            return Row(cells, header=header)

        for g in dist.groups:
            rows.append(line(g, dist.counts[g], TEXT))
        totals = {col: dist.column_total(col) for col in columns}
        rows.append(line("合計", totals, LABEL))
        if not graded:
            return Part(title, rows)
        legend = "　".join(
            f"{col}：{text}"
            for col, text in (
                ("A", "目標値を達成"),
                ("B", "基準値より改善又は一部達成"),
                ("C", "基準値から横ばい又は着手"),
                ("D", "基準値より悪化又は未着手"),
                ("対象外", "段階3・5"),
                ("未入力", "この年度の入力がまだない"),
                ("評価なし", "評価に必要な入力がない"),
            )
        )
        rows.append(Row([self.cell(legend, W, Style(size=7.2))], border=False))
        return Part(title, rows)

    def score_averages(
        self, items: Sequence[MeasureSummary], perspectives: Sequence[tuple[str, str]]
    ) -> Part:
        """観点別評価: the average score of each perspective over the measures that have one."""
        widths = (W - 3 * 80.0, 80.0, 80.0, 80.0)
        header = Row(
            [
                self.cell(t, w, HEAD)
                for t, w in zip(("観点", "平均", "評価済み", "未入力"), widths, strict=True)
            ]
        )
        rows = [header]
        for key, label in perspectives:
            scores = [dict(s.scores)[key] for s in items if key in dict(s.scores)]
            average = f"{sum(scores) / len(scores):.1f}" if scores else "—"
            rows.append(
                Row(
                    [
                        self.cell(label, widths[0]),
                        self.cell(average, widths[1], NUM),
                        self.cell(f"{len(scores)}件", widths[2], NUM),
                        self.cell(f"{len(items) - len(scores)}件", widths[3], NUM),
                    ],
                    header=header,
                )
            )
        return Part("観点別評価の平均", rows)

    def overview(self, items: Sequence[MeasureSummary], column_title: str = "評価") -> Part:
        col_w = 40.0 if len(column_title) <= 2 else 56.0
        widths = (26.0, 62.0, W - 26 - 62 - 110 - 38 - col_w - 52 - 34, 110.0, 38.0, col_w, 52.0, 34.0)
        header = Row(
            [
                self.cell(t, w, head_style(7.2))
                for t, w in zip(
                    ("No", "コード", "名称", "担当課", "段階", column_title, "指標の達成", "頁"),
                    widths,
                    strict=True,
                )
            ]
        )
        rows = [header]
        small = Style(size=7.4, valign="middle")
        for n, s in enumerate(items, start=1):
            grade = s.grade_column + ("※" if s.overridden else "")
            reached = f"{s.indicators_reached} / {s.indicators_graded}" if s.indicators_graded else "—"
            rows.append(
                Row(
                    [
                        self.cell(str(n), widths[0], Style(size=7.4, align="right", valign="middle")),
                        self.cell(s.code, widths[1], small),
                        self.cell(s.name, widths[2], small),
                        self.cell(s.section_name, widths[3], small),
                        self.cell(s.stage, widths[4], Style(size=7.4, align="center", valign="middle")),
                        self.cell(grade, widths[5], Style(size=7.4, align="center", valign="middle")),
                        self.cell(reached, widths[6], Style(size=7.4, align="center", valign="middle")),
                        self.cell(
                            str(s.page) if s.page else "",
                            widths[7],
                            Style(size=7.4, align="right", valign="middle"),
                        ),
                    ],
                    header=header,
                )
            )
        note = "指標の達成：目標値を達成した指標数 / 評価の対象となった指標数。"
        if column_title == "評価":
            note = "※ 評価：自己評価が算出した評価と異なるもの（変更理由は各シートに記載）。" + note
        rows.append(Row([self.cell(note, W, Style(size=7.2))], border=False))
        return Part("達成状況の一覧", rows)

    def findings(self, items: Sequence[MeasureSummary]) -> Part:
        widths = (52.0, 62.0, 120.0, W - 52 - 62 - 120)
        header = Row(
            [
                self.cell(t, w, head_style(7.2))
                for t, w in zip(("重要度", "コード", "チェック", "内容"), widths, strict=True)
            ]
        )
        rows = [header]
        small = Style(size=7.4, valign="middle")
        pairs = all_findings(items)
        for s, f in pairs:
            rows.append(
                Row(
                    [
                        self.cell(
                            f.severity.label,
                            widths[0],
                            Style(
                                size=7.4, align="center", valign="middle", bold=f.severity.value == "error"
                            ),
                        ),
                        self.cell(s.code, widths[1], small),
                        self.cell(f.title, widths[2], Style(size=7.0, valign="middle")),
                        self.cell(f.message, widths[3], Style(size=7.4)),
                    ],
                    header=header,
                )
            )
        if not pairs:
            rows.append(Row([self.cell("指摘はありません。", W, TEXT)]))
        return Part(f"監査対応チェックの指摘（{len(pairs)}件）", rows)
