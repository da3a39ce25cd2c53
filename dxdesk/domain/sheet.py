"""Read-only snapshots of a measure and its yearly sheet, as the rules, reports and exchange see them.

The store builds these from the database (``dxdesk.store.snapshot``); tests build them by hand. They
hold only plain values (Decimal, str, enums), so every rule is a pure function of a snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dxdesk.domain.enums import Direction, Grade, IndicatorKind, MilestoneStatus, Stage
from dxdesk.domain.values import Value, ValueType

__all__ = [
    "CostData",
    "IndicatorData",
    "IndicatorYear",
    "MeasureSnapshot",
    "MilestoneData",
    "SheetData",
]

_BLANK = Value.blank()


@dataclass(frozen=True)
class IndicatorYear:
    target: Value = _BLANK
    actual: Value = _BLANK
    note: str = ""


@dataclass(frozen=True)
class IndicatorData:
    name: str
    unit: str = ""
    kind: IndicatorKind = IndicatorKind.OUTCOME
    direction: Direction = Direction.UP
    cumulative: bool = False
    value_type: ValueType = ValueType.NUMERIC
    decimals: int | None = None
    baseline: Value = _BLANK
    baseline_fy: int | None = None
    final_target: Value = _BLANK
    final_target_fy: int | None = None
    reference_only: bool = False
    rationale: str = ""
    note: str = ""
    order: int = 0
    valid_from_fy: int | None = None
    valid_to_fy: int | None = None
    years: Mapping[int, IndicatorYear] = field(default_factory=dict)
    kind_confirmed: IndicatorKind | None = None  # 活動/成果 confirmed or corrected by the central office
    plausible_min: Decimal | None = None  # plausible range of a value (else the unit's default)
    plausible_max: Decimal | None = None

    def year(self, fy: int) -> IndicatorYear:
        return self.years.get(fy, IndicatorYear())

    def target_for(self, fy: int) -> Value:
        """The year's target where one is set, otherwise the plan-end target (evaluation-rules.md)."""
        yearly = self.year(fy).target
        return yearly if yearly.is_entered else self.final_target

    def active_in(self, fy: int) -> bool:
        """False for years before the indicator was introduced or after it was replaced (KPI変更)."""
        if self.valid_from_fy is not None and fy < self.valid_from_fy:
            return False
        return not (self.valid_to_fy is not None and fy > self.valid_to_fy)

    def is_reference(self, fy: int) -> bool:
        """A reference-only indicator: flagged so, or a target of 0 on a higher-is-better indicator."""
        if self.reference_only:
            return True
        target = self.target_for(fy)
        return self.direction is not Direction.DOWN and target.is_number and target.number == 0


@dataclass(frozen=True)
class MilestoneData:
    text: str
    due_fy: int | None = None
    status: MilestoneStatus = MilestoneStatus.NOT_STARTED
    order: int = 0


@dataclass(frozen=True)
class CostData:
    """One fiscal year of 事業費 (thousands of yen unless the plan says otherwise)."""

    fiscal_year: int
    budget: Decimal | None = None
    settlement: Decimal | None = None
    fund_general: Decimal | None = None
    fund_national: Decimal | None = None
    fund_prefecture: Decimal | None = None
    fund_bonds: Decimal | None = None
    fund_other: Decimal | None = None
    personnel_cost: Decimal | None = None
    staff_ratio: Decimal | None = None
    overtime_hours: Decimal | None = None
    part_time_staff: str | None = None
    execution_note: str = ""

    def funding_total(self) -> Decimal | None:
        parts = [
            self.fund_general,
            self.fund_national,
            self.fund_prefecture,
            self.fund_bonds,
            self.fund_other,
        ]
        if all(p is None for p in parts):
            return None
        return sum((p for p in parts if p is not None), Decimal(0))


@dataclass(frozen=True)
class SheetData:
    """The yearly sheet of one measure."""

    fiscal_year: int
    stage: Stage | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    self_grade: Grade | None = None
    override_reason: str = ""
    direction: str | None = None
    direction_reason: str = ""
    perspective_scores: Mapping[str, int] = field(default_factory=dict)
    milestones: tuple[MilestoneData, ...] = ()
    author: str = ""
    chief_confirmed_by: str = ""

    def text(self, key: str) -> str:
        return self.texts.get(key, "") or ""


@dataclass(frozen=True)
class MeasureSnapshot:
    code: str
    name: str
    sheet: SheetData
    owner_section_code: str = ""
    related_section_codes: tuple[str, ...] = ()
    kind: str = "measure"
    purpose: str = ""
    summary: str = ""
    target_group: str = ""
    indicators: tuple[IndicatorData, ...] = ()
    costs: Mapping[int, CostData] = field(default_factory=dict)

    @property
    def fiscal_year(self) -> int:
        return self.sheet.fiscal_year
