"""Importing a review workbook into the section's database (the section's side of review and return;
the central office writes the workbook in ``dxdesk.central.review_sheets``).

:func:`import_review` verifies the file (kind ``dxdesk/review/1``, signed by a central CA this database
trusts — the one its kit came from —, this database's plan and section, every visible cell), then
stores the decision and comments per measure (``received_review``, ``received_comment``) so the entry
application can show them on the sheets, and reopens the returned sheets: their entry status becomes
``needs_check`` (要確認), which the sheet list shows until the person marks the sheet complete again.

Importing the same file again changes nothing; an older version than one already imported is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxdesk.central.errors import ReviewImportError
from dxdesk.central.review import Decision
from dxdesk.domain.enums import EntryStatus
from dxdesk.domain.fiscal import file_timestamp, fy_label
from dxdesk.exchange.authority import load_trust
from dxdesk.exchange.verify import KIND_REVIEW, verify_file
from dxdesk.store.database import Database
from dxdesk.store.models import Measure, MeasureYear, ReceivedComment, ReceivedReview, utcnow
from dxdesk.store.queries import current_plan, newest_number
from dxdesk.store.settings_store import get_setting

__all__ = ["ReceivedNote", "ReviewImportResult", "import_review", "received_comments", "review_decisions"]


@dataclass(frozen=True)
class ReviewImportResult:
    path: Path
    section_code: str
    fiscal_year: int
    version: int
    revision: int
    already: bool
    returned: tuple[str, ...]
    accepted: tuple[str, ...]
    comments: int

    def summary(self) -> str:
        if self.already:
            return f"審査結果 第{self.version}版は取り込み済みです（変更なし）"
        return (
            f"審査結果 第{self.version}版（{fy_label(self.fiscal_year)}・提出 第{self.revision}版）を取り込みました："
            f"差戻し {len(self.returned)}件・受理 {len(self.accepted)}件・コメント {self.comments}件"
        )


@dataclass(frozen=True)
class ReceivedNote:
    """A decision and a comment of the central office on one measure, as the section sees it."""

    measure_code: str
    decision: Decision
    field: str
    field_label: str
    text: str
    author: str
    created_at: dt.datetime | None
    version: int
    revision: int


def _measures(payload: dict[str, Any]) -> list[dict[str, Any]]:
    items = payload.get("measures")
    if not isinstance(items, list) or not all(isinstance(x, dict) and x.get("code") for x in items):
        raise ReviewImportError("審査結果ファイルが壊れています（施策の一覧が読み取れません）。")
    for x in items:
        if x.get("decision") not in {d.value for d in Decision}:
            raise ReviewImportError(
                f"審査結果ファイルが壊れています（施策「{x.get('code')}」の審査結果が読み取れません）。"
            )
    return items


def import_review(db: Database, path: Path, *, user: str = "") -> ReviewImportResult:
    """Verify and import a review workbook. Raises :class:`ReviewImportError` (Japanese)."""
    path = Path(path)
    if not path.is_file():
        raise ReviewImportError(f"ファイル「{path.name}」が見つかりません。")
    session = db.new_session(user=user or "審査結果の取込")
    try:
        if get_setting(session, "role") == "central":
            raise ReviewImportError(
                "中央のデータベースには審査結果を取り込めません。課所室のデータベースで取り込んでください。"
            )
        plan = current_plan(session)
        section = get_setting(session, "section_code")
        if plan is None or not section:
            raise ReviewImportError(
                "このデータベースには課所室の配布ファイルが取り込まれていません。先に配布ファイルを取り込んでください。"
            )
        v = verify_file(path, load_trust(session), expected_kind=KIND_REVIEW)
        if not v.ok:
            raise ReviewImportError(f"審査結果ファイルとして取り込めません：{v.message}")
        p = v.payload or {}
        file_section = str((p.get("section") or {}).get("code") or "")
        if file_section != section:
            raise ReviewImportError(
                f"別の課所室の審査結果です（ファイルは「{file_section}」、このデータベースは「{section}」）。"
            )
        fy = p.get("fiscal_year")
        version = p.get("version")
        revision = p.get("revision")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (fy, version, revision)):
            raise ReviewImportError("審査結果ファイルが壊れています（年度・版が読み取れません）。")
        assert isinstance(fy, int) and isinstance(version, int) and isinstance(revision, int)
        items = _measures(p)
        known = session.scalar(
            select(ReceivedReview).where(
                ReceivedReview.plan_code == plan.code,
                ReceivedReview.fiscal_year == fy,
                ReceivedReview.section_code == section,
                ReceivedReview.version == version,
            )
        )
        returned = tuple(str(x["code"]) for x in items if x["decision"] == Decision.RETURNED.value)
        accepted = tuple(str(x["code"]) for x in items if x["decision"] == Decision.ACCEPTED.value)
        n_comments = sum(len(x.get("comments") or []) for x in items)
        if known is not None:
            if known.payload_hash != v.payload_hash:
                raise ReviewImportError(
                    f"審査結果 第{version}版は別の内容で取り込み済みです。中央の担当課に確認してください。"
                )
            return ReviewImportResult(
                path, section, fy, version, revision, True, returned, accepted, n_comments
            )
        newest = newest_number(session, ReceivedReview.version, plan.code, fy, section)
        if newest is not None and version < newest:
            raise ReviewImportError(
                f"古い審査結果です（第{newest}版を取り込み済みです。第{version}版は取り込みません）。"
            )
        codes = {str(x["code"]) for x in items}
        measures = {
            mm.code: mm
            for mm in session.scalars(
                select(Measure).where(Measure.plan_id == plan.id, Measure.code.in_(codes))
            )
        }
        unknown = sorted(codes - set(measures))
        if unknown:
            raise ReviewImportError(f"この課の計画にない施策の審査結果です（{'、'.join(unknown[:5])}）。")
        review = ReceivedReview(
            plan_code=plan.code,
            fiscal_year=fy,
            section_code=section,
            version=version,
            revision=revision,
            payload_hash=v.payload_hash or "",
            file_name=path.name[:300],
            issued_at=file_timestamp(p.get("created_at")),
            imported_at=utcnow(),
        )
        for x in items:
            comments = [c for c in (x.get("comments") or []) if isinstance(c, dict)]
            base = {"fiscal_year": fy, "measure_code": str(x["code"]), "decision": str(x["decision"])}
            if not comments:
                review.comments.append(
                    ReceivedComment(
                        **base,
                        field="",
                        text="",
                        author=str(x.get("decided_by") or "")[:100],
                        created_at=file_timestamp(x.get("decided_at")),
                    )
                )
            for c in comments:
                review.comments.append(
                    ReceivedComment(
                        **base,
                        field=str(c.get("field") or "")[:80],
                        text=str(c.get("text") or ""),
                        author=str(c.get("author") or "")[:100],
                        created_at=file_timestamp(c.get("created_at")),
                    )
                )
        session.add(review)
        # reopen the returned sheets (the audit trail records the change of status)
        years = {
            y.measure_id: y
            for y in session.scalars(
                select(MeasureYear).where(
                    MeasureYear.measure_id.in_([measures[c].id for c in returned]),
                    MeasureYear.fiscal_year == fy,
                )
            )
        }
        for code in returned:
            my = years.get(measures[code].id)
            if my is None:
                my = MeasureYear(measure_id=measures[code].id, fiscal_year=fy)
                session.add(my)
            my.entry_status = EntryStatus.NEEDS_CHECK.value
        session.commit()
        return ReviewImportResult(path, section, fy, version, revision, False, returned, accepted, n_comments)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def received_comments(
    session: Session, fiscal_year: int, measure_code: str | None = None
) -> list[ReceivedNote]:
    """The central office's decisions and comments from the newest review workbook imported for the year
    (of one measure, or all), in the order of the file."""
    from dxdesk.central.review import field_label
    from dxdesk.store.snapshot import plan_settings

    plan = current_plan(session)
    if plan is None:
        return []
    newest = session.scalar(
        select(ReceivedReview)
        .where(ReceivedReview.plan_code == plan.code, ReceivedReview.fiscal_year == fiscal_year)
        .order_by(ReceivedReview.version.desc())
        .limit(1)
    )
    if newest is None:
        return []
    settings = plan_settings(plan)
    return [
        ReceivedNote(
            c.measure_code,
            Decision(c.decision),
            c.field,
            field_label(settings, c.field) if c.text else "",
            c.text,
            c.author,
            c.created_at,
            newest.version,
            newest.revision,
        )
        for c in newest.comments
        if measure_code is None or c.measure_code == measure_code
    ]


def review_decisions(session: Session, fiscal_year: int) -> dict[str, Decision]:
    """Measure code → the decision of the newest review workbook imported for the year."""
    return {n.measure_code: n.decision for n in received_comments(session, fiscal_year)}
