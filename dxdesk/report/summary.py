"""Figures of the organisation report: grade distribution by 分野 and 部局, achievement overview, findings.

Pure functions over small per-measure summaries (:class:`MeasureSummary`), so the report's first pages
need only a few hundred bytes per measure, not the measures themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Grade, GradingRule
from dxdesk.report.model import SheetModel

__all__ = ["GRADE_COLUMNS", "Distribution", "MeasureSummary", "distribution", "summarize"]

# Columns of the distribution tables: the four grades, 対象外 (stages 3 and 5), 評価なし.
GRADE_COLUMNS = ("A", "B", "C", "D", "対象外", "評価なし")


@dataclass(frozen=True)
class MeasureSummary:
    code: str
    name: str
    section_code: str
    section_name: str
    bureau_name: str
    field_name: str  # top level of the plan tree (分野)
    stage: str  # 「2」「3・4」 or ""
    grade_column: str  # one of GRADE_COLUMNS
    overridden: bool
    indicators_graded: int
    indicators_reached: int
    findings: tuple[Finding, ...]
    page: int = 0  # first page of the sheet in the report (0 = not known)


def summarize(m: SheetModel) -> MeasureSummary:
    sheet = m.snapshot.sheet
    sug = m.suggestion
    grade = m.grade
    if grade is not None:
        column = grade.value
    elif sug.rule is GradingRule.NOT_EVALUATED:
        column = "対象外"
    else:
        column = "評価なし"
    graded = [a for a in sug.indicators if a.grade is not None]
    return MeasureSummary(
        code=m.code,
        name=m.name,
        section_code=m.snapshot.owner_section_code,
        section_name=m.section_name,
        bureau_name=m.bureau_name or "（部局未設定）",
        field_name=m.path[0].name if m.path else "（体系未設定）",
        stage=sheet.stage.short if sheet.stage else "",
        grade_column=column,
        overridden=sheet.self_grade is not None and sheet.self_grade != sug.grade,
        indicators_graded=len(graded),
        indicators_reached=sum(1 for a in graded if a.grade is Grade.A),
        findings=tuple(m.findings),
    )


@dataclass(frozen=True)
class Distribution:
    """Counts per group (分野 or 部局) and grade column, in first-seen order of the groups."""

    groups: tuple[str, ...]
    counts: dict[str, dict[str, int]]

    def total(self, group: str) -> int:
        return sum(self.counts[group].values())

    def column_total(self, column: str) -> int:
        return sum(c.get(column, 0) for c in self.counts.values())


def distribution(items: Iterable[MeasureSummary], by: str) -> Distribution:
    groups: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for s in items:
        key = s.field_name if by == "field" else s.bureau_name
        if key not in counts:
            groups.append(key)
            counts[key] = dict.fromkeys(GRADE_COLUMNS, 0)
        counts[key][s.grade_column] += 1
    return Distribution(tuple(groups), counts)


def all_findings(items: Sequence[MeasureSummary]) -> list[tuple[MeasureSummary, Finding]]:
    """Every finding with its measure, most severe first, then in the report's order."""
    pairs = [(s, f) for s in items for f in s.findings]
    order = {id(s): i for i, s in enumerate(items)}
    pairs.sort(key=lambda p: (-p[1].severity.rank, order[id(p[0])]))
    return pairs
