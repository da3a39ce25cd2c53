"""The submission status board: every section expected to submit × 未提出 / 提出済 / 差戻し中 / 受理.

A section is expected when it owns a measure in the fiscal year (the year's owner where it changed),
or has sent something. Its state follows from the accepted revision and its review:

- 未提出 (missing): nothing accepted yet;
- 差戻し中 (returned): a measure of the accepted revision is marked 差戻し;
- 受理 (accepted): every measure of the accepted revision is marked 受理;
- 提出済 (submitted): otherwise (accepted, review not finished).

:func:`reminder_text` turns the sections still missing into the body of a reminder mail.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxdesk.central.errors import CentralError
from dxdesk.domain.fiscal import JST, FiscalYear, fy_label
from dxdesk.exchange.kit import sections_with_measures
from dxdesk.store.models import Bureau, MeasureReview, ReceivedSubmission, Section, SubmissionHead
from dxdesk.store.queries import current_plan, section_names

__all__ = ["JST", "SectionState", "StatusBoard", "StatusRow", "reminder_text", "status_board"]


class SectionState(StrEnum):
    MISSING = "missing"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """Sort order when sorting by state: what needs work first."""
        return _RANKS[self]


_LABELS = {
    SectionState.MISSING: "未提出",
    SectionState.SUBMITTED: "提出済",
    SectionState.RETURNED: "差戻し中",
    SectionState.ACCEPTED: "受理",
}
_RANKS = {
    SectionState.MISSING: 0,
    SectionState.RETURNED: 1,
    SectionState.SUBMITTED: 2,
    SectionState.ACCEPTED: 3,
}
SORT_KEYS = ("section", "state", "revision", "received_at", "bureau", "name")


@dataclass(frozen=True)
class StatusRow:
    section_code: str
    section_name: str
    bureau_code: str
    bureau_name: str
    state: SectionState
    revision: int | None
    received_at: dt.datetime | None
    file_name: str | None
    author: str
    chief: str
    measures: int
    reviewed_accepted: int
    reviewed_returned: int
    conflicts: int
    submission_id: int | None
    order: int = 0  # the organisation's order

    @property
    def received_at_text(self) -> str:
        """「2026/05/12 14:03」 in Japan time, or "" when nothing arrived."""
        return self.received_at.astimezone(JST).strftime("%Y/%m/%d %H:%M") if self.received_at else ""


@dataclass(frozen=True)
class StatusBoard:
    fiscal_year: int
    rows: list[StatusRow]
    total_sections: int  # before filtering

    def counts(self) -> dict[SectionState, int]:
        out = dict.fromkeys(SectionState, 0)
        for r in self.rows:
            out[r.state] += 1
        return out

    def missing(self) -> list[StatusRow]:
        return [r for r in self.rows if r.state is SectionState.MISSING]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def status_board(
    session: Session,
    fiscal_year: int | None = None,
    *,
    states: Iterable[SectionState | str] | None = None,
    text: str | None = None,
    sort: str = "section",
    descending: bool = False,
) -> StatusBoard:
    """The board for the fiscal year (default: the plan's survey year), filtered and sorted.

    ``states`` keeps rows in those states; ``text`` keeps rows whose section code, name or bureau
    contains it (full-width and half-width, upper and lower case alike); ``sort`` is one of
    ``section`` (the organisation's order), ``state``, ``revision``, ``received_at``, ``bureau``, ``name``."""
    plan = current_plan(session)
    if plan is None:
        raise CentralError("計画が登録されていません。")
    fy = fiscal_year or plan.current_fy
    if fy is None:
        raise CentralError("年度がわかりません（年度を指定してください）。")
    if sort not in SORT_KEYS:
        raise CentralError(f"並べ替えの項目「{sort}」はありません（{'・'.join(SORT_KEYS)}）。")
    names = section_names(session, fy)
    expected = sections_with_measures(session, plan, fy)
    measure_counts = _measure_counts(session, plan.id, fy)

    heads = {
        code: (accepted_id, revision)
        for code, accepted_id, revision in session.execute(
            select(SubmissionHead.section_code, SubmissionHead.accepted_id, SubmissionHead.revision).where(
                SubmissionHead.plan_code == plan.code, SubmissionHead.fiscal_year == fy
            )
        )
    }
    accepted_ids = [a for a, _r in heads.values() if a is not None]
    info: dict[int, tuple[dt.datetime | None, str | None, str, str, int]] = {}
    if accepted_ids:
        for sid, r_at, r_name, r_author, r_chief, r_count in session.execute(
            select(
                ReceivedSubmission.id,
                ReceivedSubmission.received_at,
                ReceivedSubmission.file_name,
                ReceivedSubmission.author,
                ReceivedSubmission.chief,
                ReceivedSubmission.measure_count,
            ).where(ReceivedSubmission.id.in_(accepted_ids))
        ):
            info[sid] = (r_at, r_name, r_author, r_chief, r_count)
    decisions: dict[int, dict[str, int]] = {}
    if accepted_ids:
        for sid, decision, n in session.execute(
            select(MeasureReview.submission_id, MeasureReview.decision, func.count())
            .where(MeasureReview.submission_id.in_(accepted_ids))
            .group_by(MeasureReview.submission_id, MeasureReview.decision)
        ):
            decisions.setdefault(sid, {})[decision] = n
    conflicts = dict(
        session.execute(
            select(ReceivedSubmission.section_code, func.count())
            .where(
                ReceivedSubmission.plan_code == plan.code,
                ReceivedSubmission.fiscal_year == fy,
                ReceivedSubmission.status == "conflict",
            )
            .group_by(ReceivedSubmission.section_code)
        ).all()
    )
    bureau_of, bureau_names, order = _organisation(session, fy)

    codes = list(expected) + sorted(c for c in heads if c not in set(expected))
    rows: list[StatusRow] = []
    for code in codes:
        accepted_id, revision = heads.get(code, (None, None))
        nothing: tuple[dt.datetime | None, str | None, str, str, int] = (None, None, "", "", 0)
        at, file_name, author, chief, count = info.get(accepted_id, nothing) if accepted_id else nothing
        d = decisions.get(accepted_id or -1, {})
        n_acc, n_ret = d.get("accepted", 0), d.get("returned", 0)
        if accepted_id is None:
            state = SectionState.MISSING
        elif n_ret:
            state = SectionState.RETURNED
        elif count and n_acc >= count:
            state = SectionState.ACCEPTED
        else:
            state = SectionState.SUBMITTED
        bcode = bureau_of.get(code, "")
        rows.append(
            StatusRow(
                section_code=code,
                section_name=names.get(code, code),
                bureau_code=bcode,
                bureau_name=bureau_names.get(bcode, ""),
                state=state,
                revision=revision if accepted_id else None,
                received_at=at,
                file_name=file_name,
                author=author,
                chief=chief,
                measures=measure_counts.get(code, count),
                reviewed_accepted=n_acc,
                reviewed_returned=n_ret,
                conflicts=int(conflicts.get(code, 0)),
                submission_id=accepted_id,
                order=order.get(code, 1_000_000),
            )
        )
    total = len(rows)
    if states is not None:
        wanted = {SectionState(s) for s in states}
        rows = [r for r in rows if r.state in wanted]
    if text:
        needle = _fold(text.strip())
        rows = [r for r in rows if needle in _fold(f"{r.section_code} {r.section_name} {r.bureau_name}")]
    rows.sort(key=_sort_key(sort), reverse=descending)
    return StatusBoard(fy, rows, total)


def _sort_key(sort: str):
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    keys = {
        "section": lambda r: (r.order, r.section_code),
        "state": lambda r: (r.state.rank, r.order, r.section_code),
        "revision": lambda r: (r.revision or 0, r.order, r.section_code),
        "received_at": lambda r: (r.received_at or far, r.order, r.section_code),
        "bureau": lambda r: (r.bureau_name, r.order, r.section_code),
        "name": lambda r: (r.section_name, r.section_code),
    }
    return keys[sort]


def _measure_counts(session: Session, plan_id: int, fy: int) -> dict[str, int]:
    from dxdesk.store.models import Measure, MeasureYear

    q = (
        select(Measure.owner_section_code, MeasureYear.section_code)
        .outerjoin(MeasureYear, (MeasureYear.measure_id == Measure.id) & (MeasureYear.fiscal_year == fy))
        .where(Measure.plan_id == plan_id)
    )
    out: dict[str, int] = {}
    for owner, year_owner in session.execute(q):
        code = year_owner or owner
        out[code] = out.get(code, 0) + 1
    return out


def _organisation(session: Session, fy: int) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    def valid(r: Section | Bureau) -> bool:
        return r.valid_from_fy <= fy and (r.valid_to_fy is None or fy <= r.valid_to_fy)

    bureau_of: dict[str, str] = {}
    order: dict[str, int] = {}
    for i, s in enumerate(
        session.scalars(select(Section).order_by(Section.sort_order, Section.valid_from_fy))
    ):
        if s.bureau_code and (valid(s) or s.code not in bureau_of):
            bureau_of[s.code] = s.bureau_code
        order.setdefault(s.code, i)
    bureau_names: dict[str, str] = {}
    for b in session.scalars(select(Bureau).order_by(Bureau.valid_from_fy)):
        if valid(b) or b.code not in bureau_names:
            bureau_names[b.code] = b.name
    return bureau_of, bureau_names, order


def reminder_text(
    board: StatusBoard, *, deadline: str = "", sender: str = "", now: dt.datetime | None = None
) -> str:
    """The body of a reminder mail listing the sections still missing (empty text when none is)."""
    missing = [r for r in board.rows if r.state is SectionState.MISSING]
    if not missing:
        return ""
    fy = board.fiscal_year
    when = (now or dt.datetime.now(dt.UTC)).astimezone(JST)
    short = FiscalYear(fy).short2()
    lines = [
        f"件名：【提出のお願い】{fy_label(fy)} 施策評価シートの提出について",
        "",
        "各課所室 ご担当者様",
        "",
        f"{fy_label(fy)}の施策評価シートについて、次の課所室からの提出がまだ確認できていません。",
        (f"{deadline}までに、" if deadline else "お手数ですが、")
        + f"dxdesk で作成した提出ファイル（{short}_課コード_課名_提出_第○版.xlsx）を提出してください。",
        "",
    ]
    for r in missing:
        bureau = f"（{r.bureau_name}）" if r.bureau_name else ""
        lines.append(f"・{r.section_code}　{r.section_name}{bureau}")
    lines += [
        "",
        f"（未提出 {len(missing)}課所室／全{board.total_sections}課所室　{when:%Y年%m月%d日 %H:%M} 現在）",
        "すでに提出済みの場合は、行き違いですのでご容赦ください。",
    ]
    if sender:
        lines += ["", sender]
    return "\n".join(lines) + "\n"
