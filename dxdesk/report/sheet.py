"""One measure's yearly sheet, part by part, as ruled rows (:mod:`dxdesk.report.layout`).

Which parts a sheet has, and in which order, is the plan's choice (``PlanSettings.parts_for(kind)``);
each part has a builder: the tables of figures (事業費, 指標, charts) in :mod:`dxdesk.report.tables`,
the others here. Labels come from :class:`~dxdesk.report.options.PrintOptions`. Grades and their
explanations come from ``dxdesk.domain.grading``; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dxdesk.domain.enums import GradingRule, MilestoneStatus
from dxdesk.domain.evaluation import NOT_ENTERED, stage_label
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.grading import SCHEDULE_STAGES
from dxdesk.report import cost_breakdown, progress, roadmap_grid
from dxdesk.report.kpi_table import goals, kpi_table
from dxdesk.report.layout import (
    HEAD_FILL,
    MUTED_FILL,
    Cell,
    Part,
    Row,
    Style,
    TextBox,
)
from dxdesk.report.legend import legends
from dxdesk.report.model import SheetModel
from dxdesk.report.options import SDG_NAMES, PrintOptions, year_short
from dxdesk.report.roadmap_status import roadmap_status
from dxdesk.report.tables import CENTER, CURRENT_HEAD, HEAD, LABEL, LABEL_W, SMALL, TEXT, TableParts, W
from dxdesk.report.verification import verification

__all__ = ["SheetBuilder"]

GRADE = Style(size=16, align="center", valign="middle", bold=True)
SIGN_W = 118.0  # one 作成者 / 所属長確認 box


class SheetBuilder(TableParts):
    """Builds the parts of sheets of one print job (one plan, one fiscal year)."""

    def __init__(self, options: PrintOptions, text: TextBox, period: tuple[int | None, int | None]):
        super().__init__(options, text, period)
        self.builders: dict[str, Callable[[SheetModel], list[Row]]] = {
            "basic": self.basic,
            "overview": self.overview,
            "costs": self.costs,
            "citizen": lambda m: self.texts(m, "citizen"),
            "indicators": lambda m: (
                kpi_table(self, m) if self.o.kpi_table(m.snapshot.kind) else self.indicators(m)
            ),
            "schedule": self.schedule,
            "roadmap": self.roadmap,
            "results": lambda m: self.texts(m, "results"),
            "evaluation": self.evaluation,
            "perspectives": self.perspectives,
            "direction": self.direction,
            "review": lambda m: self.texts(m, "review"),
            "goals": lambda m: goals(self, m),
            "verification": lambda m: verification(self, m),
            "legend": lambda m: legends(self, m),
            "roadmap_status": lambda m: roadmap_status(self, m),
            "situation": lambda m: roadmap_grid.situation(self, m),
            "initiatives": lambda m: roadmap_grid.initiatives(self, m),
            "cost_lines": lambda m: cost_breakdown.cost_lines(self, m),
            "cost_breakdown": lambda m: cost_breakdown.cost_breakdown(self, m),
            "progress": lambda m: progress.progress(self, m),
        }

    def parts(self, m: SheetModel) -> list[Part]:
        out: list[Part] = []
        for key in self.o.settings.parts_for(m.snapshot.kind):
            build = self.builders.get(key)
            if build is None:
                continue
            rows = build(m)
            if rows:
                out.append(Part(self.o.part_heading(key), rows))
            if key == "indicators" and self.o.settings.charts and not self.o.kpi_table(m.snapshot.kind):
                charts = self.charts(m)
                if charts:
                    out.append(Part(self.o.label("chart"), charts))
        return out

    # --- 基本情報 -------------------------------------------------------------------------------
    def basic(self, m: SheetModel) -> list[Row]:
        o = self.o
        rows: list[Row] = []
        if o.shown("name"):
            rows.append(self.pair(o.label("name", kind=m.kind_label), f"{m.code}　{m.name}"))
        if m.path and o.shown("tree"):
            path = "\n".join(
                f"{n.level}：{n.code}　{n.name}" if n.code and n.code != n.name else f"{n.level}：{n.name}"
                for n in m.path
            )
            rows.append(self.pair(o.label("tree"), path))
        owner = (
            f"{m.bureau_name}　{m.section_name}"
            if m.bureau_name and m.bureau_name != m.section_name
            else m.section_name
        )
        items: list[tuple[str, str]] = []
        if o.shown("owner"):
            items.append((o.label("owner"), owner))

        def add(key: str, value: str) -> None:
            if o.basic_row(key, value, m.snapshot.kind):
                items.append((o.label(key), value))

        add("related", "、".join(m.related_names))
        add("budget_item", m.budget_item)
        period = m.period_label
        if not period and (m.start_fy or m.end_fy):
            period = (
                f"{year_short(m.start_fy) if m.start_fy else ''}〜{year_short(m.end_fy) if m.end_fy else ''}"
            )
        add("period", period)
        for key, label in o.attributes_for(m.snapshot.kind):
            if key in o.settings.parts_for(m.snapshot.kind):
                continue  # printed by the part of that name (the 主な取組 of a roadmap grid)
            value = m.attributes.get(key, "")
            items.append((label, "" if value is None else str(value)))
        add("legal_basis", m.legal_basis)
        add("sdgs", "\n".join(f"{g:02d} {SDG_NAMES.get(g, '')}" for g in m.sdgs))
        add("leading", "○" if m.is_leading else "")
        rows.extend(self._pairs(items))
        return rows

    def _pairs(self, items: Sequence[tuple[str, str]]) -> list[Row]:
        """Label/value pairs two to a row; a long value takes the whole row."""
        half = W / 2
        value_w = half - LABEL_W
        rows: list[Row] = []
        pending: list[Cell] = []
        for label, value in items:
            long = ("\n" in value and value.count("\n") > 3) or self.t.font.width(
                value, TEXT.size
            ) > value_w * 2.2
            if long:
                if pending:
                    rows.append(Row([*pending, Cell(half, [], TEXT)]))
                    pending = []
                rows.append(self.pair(label, value))
                continue
            pending += [self.cell(label, LABEL_W, LABEL), self.cell(value, value_w)]
            if len(pending) == 4:
                rows.append(Row(pending))
                pending = []
        if pending:
            rows.append(Row([*pending, Cell(LABEL_W, [], Style(fill=MUTED_FILL)), Cell(value_w, [], TEXT)]))
        return rows

    # --- 事業の概要 ---------------------------------------------------------------------------
    def overview(self, m: SheetModel) -> list[Row]:
        s = m.snapshot
        return [
            self.pair(self.o.label(key), value)
            for key, value in (
                ("target_group", s.target_group),
                ("purpose", s.purpose),
                ("summary", s.summary),
            )
            if self.o.shown(key)
        ]

    # --- free texts of a part (results, citizen, review) --------------------------------------
    def texts(self, m: SheetModel, part: str) -> list[Row]:
        fields = [f for f in self.o.settings.text_fields if f.part == part]
        return [self.pair(f.label, m.snapshot.sheet.text(f.key), label_w=96) for f in fields]

    # --- スケジュール・ロードマップ -------------------------------------------------------------
    def schedule(self, m: SheetModel) -> list[Row]:
        if not m.milestones:
            stage = m.snapshot.sheet.stage
            if stage is None or stage not in SCHEDULE_STAGES:
                return []  # a KPI-managed measure has no schedule to show
            return [self.pair("マイルストーン", "（登録されていません）")]
        fy = m.fiscal_year
        widths = (22.0, W - 22 - 90 - 90, 90.0, 90.0)
        header = Row(
            [self.cell(t, w, HEAD) for t, w in zip(("No", "内容", "期限", "状況"), widths, strict=True)]
        )
        rows = [header]
        for n, ms in enumerate(m.milestones, start=1):
            due = ""
            if ms.due_fy:
                due = fy_label(ms.due_fy) + (f"{ms.due_month}月" if ms.due_month else "")
            status = ms.status.label
            late = ms.status is not MilestoneStatus.DONE and ms.due_fy is not None and ms.due_fy <= fy
            style = CENTER if not late else Style(size=7.8, align="center", valign="middle", bold=True)
            rows.append(
                Row(
                    [
                        self.cell(str(n), widths[0], CENTER),
                        self.cell(ms.text, widths[1]),
                        self.cell(due, widths[2], CENTER),
                        self.cell(status + ("（遅れ）" if late else ""), widths[3], style),
                    ],
                    header=header,
                )
            )
        return rows

    def roadmap(self, m: SheetModel) -> list[Row]:
        fy = m.fiscal_year
        with_data = sorted(y for y, info in m.years.items() if info.roadmap_mark or info.texts.get("roadmap"))
        years = sorted(set(with_data) | {fy})[-7:]
        label_w = 70.0
        col = (W - label_w) / len(years)
        header = Row(
            [self.cell("区分", label_w, HEAD)]
            + [self.cell(fy_label(y), col, (CURRENT_HEAD if y == fy else HEAD)) for y in years]
        )
        rows = [header]
        if any(m.years.get(y) and m.years[y].roadmap_mark for y in years) and self.o.shown("roadmap_mark"):
            rows.append(
                Row(
                    [self.cell(self.o.label("roadmap_mark"), label_w, LABEL)]
                    + [
                        self.cell(
                            m.years[y].roadmap_mark if y in m.years else "",
                            col,
                            Style(size=10, align="center", valign="middle"),
                        )
                        for y in years
                    ],
                    header=header,
                )
            )
        spec = self.o.settings.text_field("roadmap")
        if spec is None and not any(m.years.get(y) and m.years[y].texts.get("roadmap") for y in years):
            return rows if len(rows) > 1 else []
        label = spec.label if spec else "取組予定"
        rows.append(
            Row(
                [self.cell(label, label_w, LABEL, cont=True)]
                + [
                    self.cell(m.years[y].texts.get("roadmap", "") if y in m.years else "", col, SMALL)
                    for y in years
                ],
                header=header,
            )
        )
        return rows

    # --- 評価 ------------------------------------------------------------------------------------
    def evaluation(self, m: SheetModel) -> list[Row]:
        o = self.o
        sheet = m.snapshot.sheet
        ev = m.evaluation
        sug = ev.suggestion
        rows: list[Row] = []
        if not ev.grades:
            return rows  # the plan's scheme does not grade: nothing to print here
        if o.settings.stages_enabled and o.shown("stage"):
            text = stage_label(sheet.stage)
            if sug.rule is not GradingRule.NONE:
                text += f"（{o.label('rule.' + sug.rule.value)}）"
            rows.append(self.pair(o.label("stage"), text))
        grade = ev.grade
        overridden = ev.is_override
        if sug.rule is GradingRule.NOT_EVALUATED and sheet.self_grade is None:
            big, meaning = "－", "評価対象外"
        elif grade is None and not ev.started:
            big, meaning = "", f"{NOT_ENTERED}（この年度の入力がまだありません）"
        elif grade is None:
            big, meaning = "", "評価できません（" + sug.explanation + "）"
        else:
            big, meaning = grade.value, ev.wording
        if overridden:
            meaning += "\n※算出した評価（" + (sug.grade.value if sug.grade else "なし") + "）から変更"
        rows.append(
            Row(
                [
                    self.cell(o.label("grade"), LABEL_W, LABEL),
                    self.cell(big, 46, GRADE),
                    self.cell(meaning, W - LABEL_W - 46, Style(size=8.6, valign="middle", bold=overridden)),
                ]
            )
        )
        if o.shown("suggested") and ev.started:
            shown = f"{sug.grade.value}　" if sug.grade else ""
            rows.append(self.pair(o.label("suggested"), f"{shown}{sug.explanation}", style=SMALL))
        if overridden and o.shown("override"):
            rows.append(
                self.pair(o.label("override"), sheet.override_reason or "（理由が入力されていません）")
            )
        return rows

    def perspectives(self, m: SheetModel) -> list[Row]:
        specs = self.o.settings.perspectives
        if not specs:
            return []
        scores = m.snapshot.sheet.perspective_scores
        widths = (LABEL_W, 40.0, W - LABEL_W - 40)
        header = Row(
            [self.cell(t, w, HEAD) for t, w in zip(("観点", "評点", "評価の内容"), widths, strict=True)]
        )
        rows = [header]
        for p in specs:
            score = scores.get(p.key)
            rows.append(
                Row(
                    [
                        self.cell(p.label, widths[0], LABEL),
                        self.cell(
                            "" if score is None else str(score),
                            widths[1],
                            Style(size=12, align="center", valign="middle", bold=True),
                        ),
                        self.cell(p.descriptor(score), widths[2], Style(size=8.2, valign="middle")),
                    ],
                    header=header,
                )
            )
        return rows

    def direction(self, m: SheetModel) -> list[Row]:
        o = self.o
        sheet = m.snapshot.sheet
        chosen = sheet.direction
        options = [opt.key for opt in o.settings.direction_options]
        if chosen and chosen not in options:
            options.append(chosen)
        marks = "　".join(("■" if k == chosen else "□") + k for k in options)
        rows = [self.pair(o.label("direction"), marks)]
        if o.shown("direction_reason"):
            rows.append(self.pair(o.label("direction_reason"), sheet.direction_reason))
        return rows

    def sign_off(self, m: SheetModel) -> Row | None:
        """The 作成者 / 所属長確認 boxes printed beside the title (room for a name and a seal)."""
        o = self.o
        boxes = [
            (key, value)
            for key, value in (
                ("author", m.snapshot.sheet.author),
                ("chief", m.snapshot.sheet.chief_confirmed_by),
            )
            if o.shown(key)
        ]
        if not boxes:
            return None
        cells: list[Cell] = []
        for key, value in boxes:
            cells.append(
                self.cell(o.label(key), 44, Style(size=7.2, fill=HEAD_FILL, align="center", valign="middle"))
            )
            cells.append(self.cell(value, SIGN_W - 44, Style(size=7.6, valign="middle")))
        return Row(cells, min_height=24)
