"""Conflicts: two files of a section with the same revision and different content. A person chooses.

A conflict arises when a section exported the same revision twice from two databases (a reinstalled
PC, a copied database) or when someone re-signed a file with a modified program. The merge keeps the
file that arrived first as accepted and the other as ``conflict``; :func:`pending_conflicts` lists them
with what differs, field by field, and :func:`resolve_conflict` keeps one: choosing the other file makes
it the accepted revision (its data replaces the merged data of the section's measures for the year),
and the file not chosen is marked ``discarded``. Both stay stored.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dxdesk.central.apply import apply_measures, check_measures, load_plan_index, table_of
from dxdesk.central.errors import ConflictError
from dxdesk.central.intake import YEAR_COLUMNS, MeasureDelta, measure_deltas
from dxdesk.domain.fields import COST_FIELDS, SHEET_FIELDS
from dxdesk.domain.glossary import stored_value_label
from dxdesk.domain.settings import PlanSettings
from dxdesk.exchange.canonical import parse_canonical
from dxdesk.store.database import Database
from dxdesk.store.models import MeasureReview, MergeLog, Plan, ReceivedSubmission, SubmissionHead, utcnow
from dxdesk.store.queries import plan_and_year
from dxdesk.store.snapshot import plan_settings

__all__ = [
    "Conflict",
    "Difference",
    "SubmissionInfo",
    "pending_conflicts",
    "resolve_conflict",
    "submission_info",
]

MAX_DIFFERENCES = 500
_YEAR_LABELS = {
    "stage": SHEET_FIELDS["stage"],
    "self_grade": SHEET_FIELDS["self_grade"],
    "grade_override_reason": SHEET_FIELDS["override_reason"],
    "direction": SHEET_FIELDS["direction"],
    "direction_reason": SHEET_FIELDS["direction_reason"],
    "author": SHEET_FIELDS["author"],
    "chief_confirmed_by": SHEET_FIELDS["chief_confirmed_by"],
    "entry_status": SHEET_FIELDS["entry_status"],
}


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    section_code: str
    section_name: str
    fiscal_year: int
    revision: int
    payload_hash: str
    file_name: str
    author: str
    chief: str
    created_at: dt.datetime | None
    received_at: dt.datetime
    status: str


@dataclass(frozen=True)
class Difference:
    measure_code: str
    measure_name: str
    label: str
    current: str
    other: str


@dataclass(frozen=True)
class Conflict:
    id: int  # the conflicting submission
    current: SubmissionInfo  # the accepted one
    other: SubmissionInfo
    differences: tuple[Difference, ...]


def stored_payload(data: bytes) -> dict[str, Any]:
    """The payload of a received submission as stored (zlib-compressed canonical JSON)."""
    payload = parse_canonical(zlib.decompress(data))
    assert isinstance(payload, dict)
    return payload


def submission_info(row: ReceivedSubmission) -> SubmissionInfo:
    return SubmissionInfo(
        row.id,
        row.section_code,
        row.section_name,
        row.fiscal_year,
        row.revision,
        row.payload_hash,
        row.file_name,
        row.author,
        row.chief,
        row.created_at,
        row.received_at,
        row.status,
    )


def _shown(v: Any) -> str:
    if v is None:
        return ""
    text = str(v)
    return text if len(text) <= 200 else text[:200] + "…"


def _flat(d: MeasureDelta, settings: PlanSettings) -> dict[str, str]:
    """A measure's submitted content as label → shown text, for comparing two files."""
    out: dict[str, str] = {}
    for c in YEAR_COLUMNS:
        out[_YEAR_LABELS[c]] = _shown(stored_value_label(c, d.year.get(c)))
    for key, text in d.texts.items():
        spec = settings.text_field(key)
        out[spec.label if spec else key] = _shown(text)
    for key, score in d.perspectives.items():
        ps = settings.perspective(key)
        out[f"観点別評価（{ps.label if ps else key}）"] = str(score)
    if d.milestones is not None:
        out["スケジュール"] = _shown(
            " / ".join(
                f"{ms['text']}（{ms.get('due_fy') or ''}・{stored_value_label('milestone_status', ms.get('status'))}）"
                for ms in d.milestones
            )
        )
    for code, target, actual, note in d.values:
        out[f"指標{code}の目標"] = _shown(target)
        out[f"指標{code}の実績"] = _shown(actual)
        out[f"指標{code}の備考"] = _shown(note)
    for k, v in (d.cost or {}).items():
        out[f"事業費 {COST_FIELDS.get(k, k)}"] = _shown(format(v, "f") if hasattr(v, "as_tuple") else v)
    if d.cost_items:
        out["事業費の内訳"] = _shown(
            " / ".join(f"{it['label']} {it.get('budget') or ''}" for it in d.cost_items)
        )
    return out


def _differences(
    a: ReceivedSubmission, b: ReceivedSubmission, settings: PlanSettings, names: dict[str, str]
) -> tuple[Difference, ...]:
    fy = a.fiscal_year
    left = {d.code: d for d in measure_deltas(stored_payload(a.payload), fy)}
    right = {d.code: d for d in measure_deltas(stored_payload(b.payload), fy)}
    out: list[Difference] = []
    for code in list(left) + [c for c in right if c not in left]:
        name = names.get(code, "")
        if code not in right or code not in left:
            out.append(
                Difference(
                    code,
                    name,
                    "施策",
                    "あり" if code in left else "なし",
                    "あり" if code in right else "なし",
                )
            )
            continue
        fa, fb = _flat(left[code], settings), _flat(right[code], settings)
        for label in list(fa) + [k for k in fb if k not in fa]:
            if fa.get(label, "") != fb.get(label, ""):
                out.append(Difference(code, name, label, fa.get(label, ""), fb.get(label, "")))
        if len(out) >= MAX_DIFFERENCES:
            break
    return tuple(out[:MAX_DIFFERENCES])


def pending_conflicts(session: Session, fiscal_year: int | None = None) -> list[Conflict]:
    """Conflicts waiting for a person, by section, with what differs from the accepted file."""
    from dxdesk.store.models import Measure

    plan, fy = plan_and_year(session, fiscal_year, ConflictError)
    settings = plan_settings(plan)
    rows = session.scalars(
        select(ReceivedSubmission)
        .where(
            ReceivedSubmission.plan_code == plan.code,
            ReceivedSubmission.fiscal_year == fy,
            ReceivedSubmission.status == "conflict",
        )
        .order_by(ReceivedSubmission.section_code, ReceivedSubmission.id)
    ).all()
    names = dict(session.execute(select(Measure.code, Measure.name).where(Measure.plan_id == plan.id)).all())
    out = []
    for row in rows:
        head = session.scalar(
            select(SubmissionHead).where(
                SubmissionHead.plan_code == plan.code,
                SubmissionHead.fiscal_year == fy,
                SubmissionHead.section_code == row.section_code,
            )
        )
        current = session.get(ReceivedSubmission, head.accepted_id) if head and head.accepted_id else None
        if current is None:
            continue
        out.append(
            Conflict(
                row.id,
                submission_info(current),
                submission_info(row),
                _differences(current, row, settings, names),
            )
        )
    return out


def resolve_conflict(db: Database, conflict_id: int, keep_id: int, *, user: str = "") -> SubmissionInfo:
    """Keep ``keep_id`` — the accepted file or the conflicting one — and discard the other. Returns the
    file kept. Raises :class:`ConflictError` when the conflict is no longer open or ``keep_id`` is
    neither of the two."""
    from dxdesk.central.receive import lock_section, reviews_rows

    rs = table_of(ReceivedSubmission)
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        other = conn.execute(select(rs).where(rs.c.id == conflict_id)).first()
        if other is None or other.status != "conflict":
            raise ConflictError(
                "この競合はすでに解決されています（または見つかりません）。一覧を更新してください。"
            )
        head_id, accepted_id, accepted_rev = lock_section(
            conn, other.plan_code, other.fiscal_year, other.section_code
        )
        if accepted_id is None or accepted_rev != other.revision:
            raise ConflictError("受理済みの版が変わっています。一覧を更新してから選び直してください。")
        if keep_id not in (accepted_id, conflict_id):
            raise ConflictError("選んだファイルはこの競合のどちらでもありません。")
        now = utcnow()
        who = user[:100]
        if keep_id == accepted_id:
            conn.execute(
                update(rs)
                .where(rs.c.id == conflict_id)
                .values(
                    status="discarded",
                    decided_by=who,
                    reason=f"競合の解決：受理済みのファイル（ID {accepted_id}）を採用",
                )
            )
            message = f"競合を解決しました：受理済みのファイルを採用し、「{other.file_name}」は採用しません"
        else:
            plan_t = table_of(Plan)
            plan_row = conn.execute(
                select(plan_t.c.id, plan_t.c.settings_json).where(plan_t.c.code == other.plan_code)
            ).first()
            if plan_row is None:
                raise ConflictError("計画が見つかりません。")
            settings = PlanSettings.from_json(plan_row.settings_json)
            index = load_plan_index(conn, plan_row.id, other.plan_code, other.fiscal_year, settings)
            deltas = measure_deltas(stored_payload(other.payload), other.fiscal_year)
            problem = check_measures(index, other.section_code, deltas)
            if problem is not None:
                raise ConflictError(f"このファイルは採用できません：{problem[1]}")
            apply_measures(conn, index, deltas)
            conn.execute(
                update(rs)
                .where(rs.c.id == accepted_id)
                .values(status="discarded", decided_by=who, reason=f"競合の解決：「{other.file_name}」を採用")
            )
            conn.execute(
                update(rs).where(rs.c.id == conflict_id).values(status="accepted", decided_by=who, reason="")
            )
            conn.execute(
                update(table_of(SubmissionHead))
                .where(table_of(SubmissionHead).c.id == head_id)
                .values(accepted_id=conflict_id, updated_at=now)
            )
            rows = reviews_rows(
                conn, other.plan_code, other.fiscal_year, other.section_code, deltas, conflict_id, accepted_id
            )
            conn.execute(insert(table_of(MeasureReview)), rows)
            message = f"競合を解決しました：「{other.file_name}」を採用しました"
        conn.execute(
            insert(table_of(MergeLog)),
            {
                "at": now,
                "user_name": who,
                "file_name": other.file_name,
                "file_path": "",
                "file_hash": other.file_hash,
                "outcome": "resolved",
                "reason_codes": "",
                "message": message,
                "section_code": other.section_code,
                "fiscal_year": other.fiscal_year,
                "revision": other.revision,
                "submission_id": keep_id,
            },
        )
        conn.commit()
        kept = conn.execute(select(rs).where(rs.c.id == keep_id)).one()
    return SubmissionInfo(
        kept.id,
        kept.section_code,
        kept.section_name,
        kept.fiscal_year,
        kept.revision,
        kept.payload_hash,
        kept.file_name,
        kept.author,
        kept.chief,
        kept.created_at,
        kept.received_at,
        kept.status,
    )
