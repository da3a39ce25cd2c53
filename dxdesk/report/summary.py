"""Figures of the organisation report: grade distribution by 分野 and 部局, achievement overview, findings.

Pure functions over small per-measure summaries (:class:`MeasureSummary`), so the report's first pages
need only a few hundred bytes per measure, not the measures themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Grade
from dxdesk.domain.evaluation import distribution_keys
from dxdesk.domain.settings import PlanSettings
from dxdesk.report.model import SheetModel

__all__ = ["GRADE_COLUMNS", "Distribution", "MeasureSummary", "distribution", "summarize"]

# Columns of an A–D plan's distribution tables: the four grades, 対象外 (stages 3 and 5), 未入力,
# 評価なし. Other schemes count their 方向性 / 見直し区分 (dxdesk.domain.evaluation.distribution_keys).
GRADE_COLUMNS = ("A", "B", "C", "D", "対象外", "未入力", "評価なし")


@dataclass(frozen=True)
class MeasureSummary:
    code: str
    name: str
    section_code: str
    section_name: str
    bureau_name: str
    field_name: str  # top level of the plan tree (分野)
    stage: str  # 「2」「3・4」 or ""
    grade_column: str  # the plan's distribution bucket (A–D …, or the 方向性 / 見直し区分)
    overridden: bool
    indicators_graded: int
    indicators_reached: int
    findings: tuple[Finding, ...]
    scores: tuple[tuple[str, int], ...] = ()  # 観点別評価 (key, 1–5) where the plan scores perspectives
    page: int = 0  # first page of the sheet in the report (0 = not known)


def summarize(m: SheetModel) -> MeasureSummary:
    sheet = m.snapshot.sheet
    ev = m.evaluation
    sug = ev.suggestion
    graded = [a for a in sug.indicators if a.grade is not None]
    return MeasureSummary(
        code=m.code,
        name=m.name,
        section_code=m.snapshot.owner_section_code,
        section_name=m.section_name,
        bureau_name=m.bureau_name or "（部局未設定）",
        field_name=m.path[0].name if m.path else "（体系未設定）",
        stage=sheet.stage.short if sheet.stage else "",
        grade_column=ev.distribution_key,
        overridden=ev.grades and ev.is_override,
        indicators_graded=len(graded),
        indicators_reached=sum(1 for a in graded if a.grade is Grade.A),
        findings=tuple(m.findings),
        scores=tuple(sorted(sheet.perspective_scores.items())),
    )


@dataclass(frozen=True)
class Distribution:
    """Counts per group (分野 or 部局) and grade column, in first-seen order of the groups."""

    groups: tuple[str, ...]
    counts: dict[str, dict[str, int]]
    columns: tuple[str, ...] = GRADE_COLUMNS

    def total(self, group: str) -> int:
        return sum(self.counts[group].values())

    def column_total(self, column: str) -> int:
        return sum(c.get(column, 0) for c in self.counts.values())


def distribution(
    items: Iterable[MeasureSummary], by: str, settings: PlanSettings | None = None
) -> Distribution:
    """Counts per 分野 (``by="field"``) or 部局 in the plan's own buckets (A–D, or 方向性 / 見直し区分);
    a bucket outside the plan's list (an old option) gets its own column at the end."""
    columns = list(distribution_keys(settings)) if settings is not None else list(GRADE_COLUMNS)
    groups: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    items = list(items)
    for s in items:
        if s.grade_column not in columns:
            columns.append(s.grade_column)
    for s in items:
        key = s.field_name if by == "field" else s.bureau_name
        if key not in counts:
            groups.append(key)
            counts[key] = dict.fromkeys(columns, 0)
        counts[key][s.grade_column] += 1
    return Distribution(tuple(groups), counts, tuple(columns))


def all_findings(items: Sequence[MeasureSummary]) -> list[tuple[MeasureSummary, Finding]]:
    """Every finding with its measure, most severe first, then in the report's order."""
    pairs = [(s, f) for s in items for f in s.findings]
    order = {id(s): i for i, s in enumerate(items)}
    pairs.sort(key=lambda p: (-p[1].severity.rank, order[id(p[0])]))
    return pairs
