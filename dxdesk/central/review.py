"""The central office's review: per measure of a section's accepted revision, a decision (受理 /
差戻し / 未審査) and comments, read beside the merged sheet and its audit-readiness findings.

Reviews belong to a received revision (``measure_review.submission_id``): when a newer revision is
accepted, its measures start 未審査 — except those unchanged since a 受理 (the merge carries the 受理
over) — and the comments on earlier revisions stay as history (``earlier_comments``).

The functions take a session and leave committing to the caller. The review workbook that carries the
results back is :mod:`dxdesk.central.review_sheets`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxdesk.central.errors import ReviewError
from dxdesk.domain.audit import Finding, check_plan
from dxdesk.domain.fields import (
    COST_FIELDS,
    INDICATOR_CELLS,
    MILESTONE_FIELDS,
    SHEET_FIELDS,
    FieldError,
    FieldPath,
)
from dxdesk.domain.fiscal import fy_short
from dxdesk.domain.settings import PlanSettings
from dxdesk.store import models as m
from dxdesk.store.queries import MeasureRow, current_plan, measure_rows, plan_and_year, section_names
from dxdesk.store.snapshot import load_snapshots, plan_settings

__all__ = [
    "MAX_COMMENT",
    "Comment",
    "Decision",
    "MeasureReview",
    "add_comment",
    "delete_comment",
    "field_label",
    "measure_review",
    "plan_findings",
    "section_reviews",
    "set_decision",
    "update_comment",
]

MAX_COMMENT = 2000  # characters: a comment travels in one cell of the review workbook


class Decision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {Decision.PENDING: "未審査", Decision.ACCEPTED: "受理", Decision.RETURNED: "差戻し"}


@dataclass(frozen=True)
class Comment:
    id: int
    field: str
    field_label: str
    text: str
    author: str
    created_at: dt.datetime
    revision: int


@dataclass(frozen=True)
class MeasureReview:
    measure_code: str
    measure_name: str
    section_code: str
    section_name: str
    fiscal_year: int
    revision: int | None
    submission_id: int | None
    decision: Decision
    decided_by: str
    decided_at: dt.datetime | None
    carried_over: bool
    comments: tuple[Comment, ...]
    earlier_comments: tuple[Comment, ...]
    grade: str | None
    suggested_grade: str | None
    stage: str | None
    findings: tuple[Finding, ...]


def field_label(settings: PlanSettings, field: str) -> str:
    """The Japanese name of a field path (「取組結果」「指標1の実績」…), "" → 「シート全体」."""
    if not field:
        return "シート全体"
    try:
        p = FieldPath.parse(field)
    except FieldError:
        return _place_label(field)
    match p.kind:
        case "sheet":
            return SHEET_FIELDS.get(p.name, p.name)
        case "text":
            spec = settings.text_field(p.name)
            return spec.label if spec is not None else p.name
        case "perspective":
            ps = settings.perspective(p.name)
            return f"観点別評価（{ps.label if ps else p.name}）"
        case "basic":
            from dxdesk.domain.fields import BASIC_FIELDS

            return BASIC_FIELDS.get(p.name, p.name)
        case "indicator":
            cell = dict(zip(INDICATOR_CELLS, ("目標", "実績", "備考"), strict=True)).get(p.name, p.name)
            year = f" {fy_short(p.fy)}" if p.fy else ""
            return f"指標{(p.index or 0) + 1}の{cell}{year}"
        case "milestones":
            return "スケジュール"
        case "milestone":
            return f"マイルストーン{(p.index or 0) + 1}の{MILESTONE_FIELDS.get(p.name, p.name)}"
        case _:
            return f"事業費 {fy_short(p.fy or 0)} {COST_FIELDS.get(p.name, p.name)}"


_PLACE = re.compile(r"^(indicators|milestones)(?:\[(\d+)\])?(?:\.(\w+))?$|^costs(?:\[(\d{4})\])?$")
_INDICATOR_PARTS = {"baseline": "基準値", "final_target": "最終目標", "name": "名称", "unit": "単位"}


def _place_label(field: str) -> str:
    """Places findings name that are not single fields: ``indicators``, ``indicators[1].baseline``,
    ``costs[2025]``, ``basic``."""
    if field == "basic":
        return "基本情報"
    m = _PLACE.match(field)
    if m is None:
        return field
    if m.group(1) == "indicators":
        if m.group(2) is None:
            return "指標"
        part = _INDICATOR_PARTS.get(m.group(3) or "", "")
        return f"指標{int(m.group(2)) + 1}" + (f"の{part}" if part else "")
    if m.group(1) == "milestones":
        return "スケジュール"
    return f"事業費 {fy_short(int(m.group(4)))}" if m.group(4) else "事業費"


# --- reading ------------------------------------------------------------------------------------


def plan_findings(session: Session, fiscal_year: int | None = None) -> dict[str, list[Finding]]:
    """Plan-scope findings (the same measure split over sections), by measure code. Compare every
    measure of the plan once and pass the result to :func:`section_reviews`."""
    plan, fy = plan_and_year(session, fiscal_year, ReviewError)
    snaps = load_snapshots(session, plan, fy)
    out: dict[str, list[Finding]] = {}
    for f in check_plan(snaps, plan_settings(plan), section_names(session, fy)):
        out.setdefault(f.measure_code, []).append(f)
    return out


def _comment(c: m.ReviewComment, settings: PlanSettings, revision: int) -> Comment:
    return Comment(c.id, c.field, field_label(settings, c.field), c.text, c.author, c.created_at, revision)


def _accepted_ids(
    session: Session, plan: m.Plan, fy: int, section_codes: Sequence[str] | None
) -> dict[str, int]:
    q = select(m.SubmissionHead.section_code, m.SubmissionHead.accepted_id).where(
        m.SubmissionHead.plan_code == plan.code,
        m.SubmissionHead.fiscal_year == fy,
        m.SubmissionHead.accepted_id.is_not(None),
    )
    if section_codes is not None:
        q = q.where(m.SubmissionHead.section_code.in_(section_codes))
    return {code: sid for code, sid in session.execute(q) if sid is not None}


def _reviews_of(
    session: Session,
    plan: m.Plan,
    fy: int,
    rows: Sequence[MeasureRow],
    extra: Mapping[str, Sequence[Finding]],
) -> list[MeasureReview]:
    settings = plan_settings(plan)
    sections = sorted({r.section_code for r in rows})
    accepted = _accepted_ids(session, plan, fy, sections)
    codes = [r.code for r in rows]
    reviews = {
        (rv.submission_id, rv.measure_code): rv
        for rv in session.scalars(
            select(m.MeasureReview)
            .where(
                m.MeasureReview.plan_code == plan.code,
                m.MeasureReview.fiscal_year == fy,
                m.MeasureReview.measure_code.in_(codes),
            )
            .options(selectinload(m.MeasureReview.comments))
        )
    }
    revisions = dict(
        session.execute(
            select(m.ReceivedSubmission.id, m.ReceivedSubmission.revision).where(
                m.ReceivedSubmission.id.in_({sid for sid, _c in reviews} | set(accepted.values()))
            )
        ).all()
    )
    out = []
    for r in rows:
        sid = accepted.get(r.section_code)
        current = reviews.get((sid, r.code)) if sid is not None else None
        earlier = sorted(
            (rv for (s, code), rv in reviews.items() if code == r.code and s != sid),
            key=lambda rv: revisions.get(rv.submission_id, 0),
        )
        findings = r.evaluation.findings + tuple(extra.get(r.code, ()))
        out.append(
            MeasureReview(
                measure_code=r.code,
                measure_name=r.name,
                section_code=r.section_code,
                section_name=r.section_name,
                fiscal_year=fy,
                revision=revisions.get(sid) if sid is not None else None,
                submission_id=sid,
                decision=Decision(current.decision) if current else Decision.PENDING,
                decided_by=current.decided_by if current else "",
                decided_at=current.decided_at if current else None,
                carried_over=bool(current and current.carried_over),
                comments=tuple(
                    _comment(c, settings, revisions.get(sid or -1, 0))
                    for c in (current.comments if current else [])
                ),
                earlier_comments=tuple(
                    _comment(c, settings, revisions.get(rv.submission_id, 0))
                    for rv in earlier
                    for c in rv.comments
                ),
                grade=r.evaluation.grade_display or None,
                suggested_grade=r.evaluation.suggested.value if r.evaluation.suggested else None,
                stage=r.stage.value if r.stage else None,
                findings=findings,
            )
        )
    return out


def section_reviews(
    session: Session,
    section_code: str,
    fiscal_year: int | None = None,
    *,
    plan_scope: Mapping[str, Sequence[Finding]] | None = None,
) -> list[MeasureReview]:
    """The review of every measure the section owns in the year, in the plan's order. ``plan_scope``:
    the result of :func:`plan_findings`, to add the plan-wide findings."""
    plan, fy = plan_and_year(session, fiscal_year, ReviewError)
    rows = measure_rows(session, plan, fy, section_code=section_code)
    if not rows:
        raise ReviewError(f"課所室「{section_code}」の施策はありません。")
    return _reviews_of(session, plan, fy, rows, plan_scope or {})


def measure_review(session: Session, measure_code: str, fiscal_year: int | None = None) -> MeasureReview:
    plan, fy = plan_and_year(session, fiscal_year, ReviewError)
    owner = _owner(session, plan, fy, measure_code)
    rows = [r for r in measure_rows(session, plan, fy, section_code=owner) if r.code == measure_code]
    return _reviews_of(session, plan, fy, rows, {})[0]


def _owner(session: Session, plan: m.Plan, fy: int, measure_code: str) -> str:
    row = session.execute(
        select(m.Measure.owner_section_code, m.MeasureYear.section_code)
        .outerjoin(
            m.MeasureYear, (m.MeasureYear.measure_id == m.Measure.id) & (m.MeasureYear.fiscal_year == fy)
        )
        .where(m.Measure.plan_id == plan.id, m.Measure.code == measure_code)
    ).first()
    if row is None:
        raise ReviewError(f"施策コード「{measure_code}」は計画にありません。")
    return str(row[1] or row[0])


# --- writing ------------------------------------------------------------------------------------


def _review_row(
    session: Session, measure_code: str, fiscal_year: int | None
) -> tuple[m.MeasureReview, m.Plan, int]:
    plan, fy = plan_and_year(session, fiscal_year, ReviewError)
    owner = _owner(session, plan, fy, measure_code)
    sid = _accepted_ids(session, plan, fy, [owner]).get(owner)
    if sid is None:
        raise ReviewError(
            f"課所室「{owner}」からの提出がまだ受理されていないため、施策「{measure_code}」は審査できません。"
        )
    row = session.scalar(
        select(m.MeasureReview).where(
            m.MeasureReview.submission_id == sid, m.MeasureReview.measure_code == measure_code
        )
    )
    if row is None:
        # a measure the accepted revision did not contain (the plan gave it to the section later)
        raise ReviewError(f"受理した提出ファイルに施策「{measure_code}」が含まれていません。")
    return row, plan, fy


def set_decision(
    session: Session,
    measure_code: str,
    decision: Decision | str,
    *,
    user: str,
    fiscal_year: int | None = None,
    now: dt.datetime | None = None,
) -> MeasureReview:
    """Mark the measure 受理 / 差戻し (or back to 未審査). A 差戻し without a comment is allowed, but the
    review workbook then says only 差戻し: write a comment saying what to fix."""
    d = Decision(decision)
    row, _plan, fy = _review_row(session, measure_code, fiscal_year)
    row.decision = d.value
    row.decided_by = "" if d is Decision.PENDING else user[:100]
    row.decided_at = None if d is Decision.PENDING else (now or m.utcnow())
    row.carried_over = False
    session.flush()
    return measure_review(session, measure_code, fy)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ReviewError("コメントを入力してください。")
    if len(text) > MAX_COMMENT:
        raise ReviewError(f"コメントは{MAX_COMMENT}文字以内で入力してください（{len(text)}文字あります）。")
    return text


def add_comment(
    session: Session,
    measure_code: str,
    text: str,
    *,
    user: str,
    field: str = "",
    fiscal_year: int | None = None,
) -> Comment:
    """A comment on the measure (``field``: a field path such as ``texts.result``, or "" for the sheet)."""
    if field:
        try:
            FieldPath.parse(field)
        except FieldError as exc:
            raise ReviewError(str(exc)) from exc
    row, plan, _fy = _review_row(session, measure_code, fiscal_year)
    now = m.utcnow()
    c = m.ReviewComment(field=field, text=_clean(text), author=user[:100], created_at=now, updated_at=now)
    row.comments.append(c)
    session.flush()
    revision = session.scalar(
        select(m.ReceivedSubmission.revision).where(m.ReceivedSubmission.id == row.submission_id)
    )
    return _comment(c, plan_settings(plan), int(revision or 0))


def _comment_row(session: Session, comment_id: int) -> m.ReviewComment:
    c = session.get(m.ReviewComment, comment_id)
    if c is None:
        raise ReviewError("コメントが見つかりません（削除されたおそれがあります）。")
    return c


def update_comment(session: Session, comment_id: int, text: str, *, user: str) -> Comment:
    c = _comment_row(session, comment_id)
    c.text = _clean(text)
    c.author = user[:100] or c.author
    c.updated_at = m.utcnow()
    session.flush()
    plan = current_plan(session)
    revision = session.scalar(
        select(m.ReceivedSubmission.revision).where(m.ReceivedSubmission.id == c.review.submission_id)
    )
    return _comment(c, plan_settings(plan) if plan else PlanSettings.from_dict({}), int(revision or 0))


def delete_comment(session: Session, comment_id: int) -> None:
    session.delete(_comment_row(session, comment_id))
    session.flush()
