"""The central office's façade: the plan, kits, the inbox, the status board, review, the merged
workbook and printing, over the central database.

The central office's window (ui/central/) speaks to :class:`CentralOffice` and to the central
package's result types (``StatusBoard``, ``MeasureReview``, ``Conflict``, ``MergeReport`` …); it never
opens a session or names an ORM model. Methods take plain values and return dataclasses.

    office.plan_years()                    the plan, its survey year and the years to offer
    office.plan_overview()                 the plan screen's read model (None without a plan)
    office.kit_sections(fiscal_year)                the sections a kit can be issued to, with what was issued
    office.status_boards(fiscal_year, ...)          the whole board and the filtered, sorted one
    office.conflicts(fiscal_year, section_code=None)        conflicts waiting for a person
    office.conflict(submission_id, fiscal_year)     one of them (None when it was resolved meanwhile)
    office.review_sections(fiscal_year)             the plan's settings and the board (sections to review)
    office.section_review(section_code, fiscal_year)        reviews, list rows and section names of one section
    office.decide(measure_code, decision, fiscal_year, user, comment=, field=)
                                           accept / return / reopen a sheet; a return may carry its
                                           comment, written in the same transaction
    office.add_comment(...) / office.delete_comment(comment_id)
    office.become_central()                make this database the central office's

Long operations that take the database handle and report progress — ``merge_paths``,
``issue_kits``, ``export_review_workbooks``, ``export_merged_workbook``, ``import_plan_master``,
``export_template``, ``resolve_conflict``, ``make_pdf`` — are called with ``office.db`` as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dxdesk.central.conflicts import Conflict, pending_conflicts
from dxdesk.central.errors import CentralError
from dxdesk.central.plan_master.overview import KitSection, PlanOverview, kit_sections, plan_overview
from dxdesk.central.review import (
    Decision,
    MeasureReview,
    add_comment,
    delete_comment,
    plan_findings,
    section_reviews,
    set_decision,
)
from dxdesk.central.status import SectionState, StatusBoard, status_board
from dxdesk.desk import Database, Desk, PlanYears
from dxdesk.domain.enums import IndicatorKind
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.indicator_review import confirm_indicator_kind
from dxdesk.store.queries import MeasureRow, current_plan, measure_rows, section_names
from dxdesk.store.snapshot import plan_settings

__all__ = [
    "CentralOffice",
    "Database",
    "MeasureRow",
    "PlanYears",
    "ReviewSections",
    "SectionReview",
]


@dataclass(frozen=True)
class ReviewSections:
    """The review screen's section list: the plan's settings and the status board of the year."""

    settings: PlanSettings
    board: StatusBoard


@dataclass
class SectionReview:
    """One section's sheets under review: the reviews, the list rows by measure code, section names."""

    reviews: list[MeasureReview] = field(default_factory=list)
    rows: dict[str, MeasureRow] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


class CentralOffice(Desk):
    """The central database seen by the central office."""

    def become_central(self) -> None:
        self.set_setting("role", "central")

    # --- plan and kits ------------------------------------------------------------------------------
    def plan_overview(self) -> PlanOverview | None:
        with self.db.session() as s:
            return plan_overview(s)

    def kit_sections(self, fiscal_year: int) -> list[KitSection]:
        with self.db.session() as s:
            return kit_sections(s, fiscal_year)

    # --- status and conflicts -----------------------------------------------------------------------
    def status_boards(
        self,
        fiscal_year: int,
        *,
        states: list[SectionState | str] | None = None,
        text: str | None = None,
        sort: str = "section",
        descending: bool = False,
    ) -> tuple[StatusBoard, StatusBoard]:
        """The whole board of the year (for counts and the reminder) and the filtered, sorted one."""
        with self.db.session() as s:
            full = status_board(s, fiscal_year)
            shown = status_board(s, fiscal_year, states=states, text=text, sort=sort, descending=descending)
        return full, shown

    def conflicts(self, fiscal_year: int | None, section_code: str | None = None) -> list[Conflict]:
        with self.db.session() as s:
            items = pending_conflicts(s, fiscal_year)
        return [c for c in items if section_code in (None, c.other.section_code)]

    def conflict(self, submission_id: int, fiscal_year: int | None) -> Conflict | None:
        return next((c for c in self.conflicts(fiscal_year) if c.id == submission_id), None)

    # --- review -------------------------------------------------------------------------------------
    def review_sections(self, fiscal_year: int) -> ReviewSections | None:
        """None when the database has no plan."""
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return None
            return ReviewSections(plan_settings(plan), status_board(s, fiscal_year))

    def section_review(self, section_code: str, fiscal_year: int) -> SectionReview:
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return SectionReview()
            reviews = section_reviews(s, section_code, fiscal_year, plan_scope=plan_findings(s, fiscal_year))
            rows = {r.code: r for r in measure_rows(s, plan, fiscal_year, section_code=section_code)}
            return SectionReview(reviews, rows, section_names(s, fiscal_year))

    def decide(
        self,
        measure_code: str,
        decision: Decision,
        fiscal_year: int | None,
        *,
        user: str,
        comment: str = "",
        field: str = "",
    ) -> None:
        """Set the decision on a sheet. A return with a ``comment`` adds the comment first, in the same
        transaction (the section reads both in its review workbook). Raises ``ReviewError``."""
        with self.db.session() as s:
            if decision is Decision.RETURNED and comment.strip():
                add_comment(s, measure_code, comment, user=user, field=field, fiscal_year=fiscal_year)
            set_decision(s, measure_code, decision, user=user, fiscal_year=fiscal_year)

    def add_comment(
        self, measure_code: str, text: str, fiscal_year: int | None, *, user: str, field: str = ""
    ) -> None:
        with self.db.session() as s:
            add_comment(s, measure_code, text, user=user, field=field, fiscal_year=fiscal_year)

    def delete_comment(self, comment_id: int) -> None:
        with self.db.session() as s:
            delete_comment(s, comment_id)

    def confirm_indicator_kinds(self, measure_code: str, kinds: Sequence[IndicatorKind | None]) -> None:
        """The central office's 活動/成果 for each indicator of a measure, in order (None: back to the
        plan's kind and the wording); the output-only check uses it from then on."""
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                raise CentralError("計画が登録されていません。")
            for i, kind in enumerate(kinds):
                confirm_indicator_kind(s, plan, measure_code, i, kind)
