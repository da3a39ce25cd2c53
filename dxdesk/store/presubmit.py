"""提出前チェック: every error, warning and note across a section's sheets (or the whole plan), in one list.

The one pre-submission check: the F8 panel, the submission export (which refuses while it has errors)
and ``dxdesk check`` all call :func:`presubmission_check`, so they always agree. Its scope is one
section (``section_code``) or the whole plan (``None``); the plan-wide checks (split measures) always
compare with every section's measures and report the findings of the scope.

Errors are what blocks the submission workbook (:attr:`CheckReport.can_export`); warnings and
information do not. Each item says where to go (:class:`~dxdesk.domain.fields.JumpTarget`), so the
list can take the person straight to the field.

Sheets open in the entry screens may hold changes still queued for saving; passing them as
``sheets`` makes the check see exactly what the person sees. Text typed into a field that could not be
read (「12x」 in an actual) is kept in ``unread_input`` until it is fixed and is an error here
(``REQ-UNREAD``), so the submission cannot be written while a cell on screen says something else; so is a
text longer than an Excel cell holds, kept whole as typed until it is shortened (``REQ-TEXT-MAX``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from dxdesk.domain.audit import Finding, check_cost_items, check_plan
from dxdesk.domain.editing import EditableSheet, with_kept_input
from dxdesk.domain.enums import Severity
from dxdesk.domain.fields import JumpTarget, jump_target
from dxdesk.domain.fiscal import fy_label
from dxdesk.store.models import Plan
from dxdesk.store.queries import measure_rows, section_names
from dxdesk.store.sheet_store import load_cost_items, load_unread
from dxdesk.store.snapshot import plan_settings

__all__ = ["CheckItem", "CheckReport", "presubmission_check"]


@dataclass(frozen=True)
class CheckItem:
    finding: Finding
    measure_id: int
    measure_name: str
    target: JumpTarget

    @property
    def severity(self) -> Severity:
        return self.finding.severity


@dataclass(frozen=True)
class CheckReport:
    fiscal_year: int
    measures: int
    items: tuple[CheckItem, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.items if i.severity is severity)

    @property
    def findings(self) -> list[Finding]:
        return [i.finding for i in self.items]

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def can_export(self) -> bool:
        return self.errors == 0

    @property
    def summary(self) -> str:
        """「令和8年度 施策48件：エラー 3件・警告 12件・情報 4件（エラーを直すまで提出ファイルは作成できません）」"""
        counts = "・".join(f"{s.label} {self.count(s)}件" for s in Severity)
        verdict = (
            "エラーを直すまで提出ファイルは作成できません"
            if self.errors
            else "エラーはありません。提出ファイルを作成できます"
        )
        return f"{fy_label(self.fiscal_year)} 施策{self.measures}件：{counts}（{verdict}）"


def presubmission_check(
    session: Session,
    plan: Plan,
    fy: int,
    *,
    section_code: str | None = None,
    sheets: Mapping[tuple[int, int], EditableSheet] | None = None,
) -> CheckReport:
    """The check over one section's sheets (``section_code``) or the whole plan (None) for ``fy``."""
    settings = plan_settings(plan)
    all_rows = measure_rows(session, plan, fy, settings=settings)
    sheets = sheets or {}
    snapshots = {
        r.id: (sheets[(r.id, fy)].snapshot if (r.id, fy) in sheets else r.snapshot) for r in all_rows
    }
    rows = [r for r in all_rows if section_code is None or r.section_code == section_code]
    items: list[CheckItem] = []
    by_code = {r.code: r for r in rows}
    unread = load_unread(session, None, fy)  # text typed but not readable, kept until fixed
    cost_items = load_cost_items(session, [r.id for r in rows if (r.id, fy) not in sheets], fy)
    for r in rows:
        sheet = sheets.get((r.id, fy))
        if sheet is not None:
            findings = sheet.evaluate().findings  # its unread input included
        else:
            lines = check_cost_items(cost_items.get(r.id, ()), settings, r.code, fy)  # 事業費内訳
            ev = replace(r.evaluation, findings=r.evaluation.findings + tuple(lines))
            findings = with_kept_input(ev, unread.get(r.id, ()), r.code, fy).findings
        items += [CheckItem(f, r.id, r.name, jump_target(f.field, fy, settings)) for f in findings]
    # plan-wide checks compare with every section's measures, but report only this section's
    for f in check_plan(list(snapshots.values()), settings, section_names(session, fy)):
        owner = by_code.get(f.measure_code)
        if owner is not None:
            items.append(CheckItem(f, owner.id, owner.name, jump_target(f.field, fy, settings)))
    order = {r.id: i for i, r in enumerate(rows)}
    items.sort(key=lambda i: (-i.severity.rank, order[i.measure_id]))
    return CheckReport(fy, len(rows), tuple(items))
