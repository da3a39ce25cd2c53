"""Loading a yearly sheet into an :class:`~dxdesk.domain.editing.EditableSheet`, and writing its
field changes back to the database.

:func:`apply_changes` is what the autosave thread runs for every committed field (and for undo and
redo): it finds or creates the rows a change touches (``measure_year``, ``sheet_text``,
``indicator_value``, ``cost_row`` …) and sets the stored text. The audit trail records the change in
the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxdesk.domain.editing import BasicInfo, EditableSheet, EditError, FieldChange, UnreadInput
from dxdesk.domain.enums import EntryStatus, MilestoneStatus
from dxdesk.domain.fields import BASIC_FIELDS, COST_NUMBER_FIELDS, FieldPath
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.models import (
    CostRow,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureYear,
    Milestone,
    PerspectiveScore,
    SheetText,
)
from dxdesk.store.models import UnreadInput as UnreadRow
from dxdesk.store.queries import section_names
from dxdesk.store.snapshot import measure_load_options, plan_settings, snapshot

__all__ = ["apply_changes", "load_sheet", "load_unread", "save_unread"]


def _measure_query(measure_id: int) -> Any:
    return (
        select(Measure)
        .where(Measure.id == measure_id)
        .options(*measure_load_options(), selectinload(Measure.node), selectinload(Measure.plan))  # type: ignore[arg-type]
    )


def load_sheet(
    session: Session, measure_id: int, fy: int, settings: PlanSettings | None = None
) -> EditableSheet:
    """Load the sheet of measure ``measure_id`` for fiscal year ``fy`` into memory."""
    m = session.scalar(_measure_query(measure_id))
    if m is None:
        raise EditError("施策が見つかりません。一覧を更新してください。")
    settings = settings or plan_settings(m.plan)
    snap = snapshot(m, fy)
    my = next((y for y in m.years if y.fiscal_year == fy), None)
    milestones = [
        {"text": ms.text, "due_fy": ms.due_fy, "due_month": ms.due_month, "status": ms.status}
        for ms in (my.milestones if my else [])
    ]
    path: list[tuple[str, str, str]] = []
    node = m.node
    while node is not None:
        path.insert(0, (settings.level_name(node.depth), node.code, node.name))
        node = node.parent
    names = section_names(session, fy)
    attrs = m.attributes or {}
    info = BasicInfo(
        code=m.code,
        name=m.name,
        kind_label=settings.measure_kinds.get(m.kind, m.kind),
        plan_path=tuple(path),
        section_name=names.get(snap.owner_section_code, snap.owner_section_code),
        related_section_names=tuple(names.get(c, c) for c in snap.related_section_codes),
        sdgs=tuple(int(g) for g in (m.sdgs or [])),
        is_leading=m.is_leading,
        attributes=tuple(
            (label, str(attrs[key])) for key, label in settings.measure_attributes if key in attrs
        ),
    )
    basic = {name: str(getattr(m, name) or "") for name in BASIC_FIELDS}
    unread = load_unread(session, [m.id], fy).get(m.id, [])
    status = my.entry_status if my else None
    return EditableSheet(m.id, fy, settings, snap, info, basic, status, milestones, unread)


def load_unread(session: Session, measure_ids: Sequence[int] | None, fy: int) -> dict[int, list[UnreadInput]]:
    """Unread input kept for ``fy``, by measure id (``measure_ids`` None: every measure)."""
    query = select(UnreadRow).where(UnreadRow.fiscal_year == fy).order_by(UnreadRow.id)
    if measure_ids is not None:
        query = query.where(UnreadRow.measure_id.in_(measure_ids))
    out: dict[int, list[UnreadInput]] = {}
    for row in session.scalars(query):
        out.setdefault(row.measure_id, []).append(UnreadInput(row.path, row.typed, row.reason, row.label))
    return out


def save_unread(session: Session, measure_id: int, fy: int, path: str, unread: UnreadInput | None) -> None:
    """Keep (or, with None, forget) the unread input of one field. The caller commits."""
    row = session.scalar(
        select(UnreadRow).where(
            UnreadRow.measure_id == measure_id, UnreadRow.fiscal_year == fy, UnreadRow.path == path
        )
    )
    if unread is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = UnreadRow(measure_id=measure_id, fiscal_year=fy, path=path)
        session.add(row)
    row.typed, row.reason, row.label = unread.typed, unread.reason, unread.label


def _year(m: Measure, fy: int) -> MeasureYear:
    my = next((y for y in m.years if y.fiscal_year == fy), None)
    if my is None:
        my = MeasureYear(fiscal_year=fy)
        m.years.append(my)
    return my


# rows a change of each kind touches: loading only those keeps each autosave job short (it runs beside
# the screen's thread and competes with it for the interpreter)
_YEAR_PARTS = {
    "sheet": (),
    "text": (MeasureYear.texts,),
    "perspective": (MeasureYear.perspective_scores,),
    "milestones": (MeasureYear.milestones,),
    "milestone": (MeasureYear.milestones,),
}


def _write_options(paths: Sequence[FieldPath]) -> list[Any]:
    kinds = {p.kind for p in paths}
    options: list[Any] = []
    if "indicator" in kinds:
        options.append(selectinload(Measure.indicators).selectinload(Indicator.values))
    if "cost" in kinds:
        options.append(selectinload(Measure.cost_rows))
    year_kinds = kinds & set(_YEAR_PARTS)
    if year_kinds:
        options.append(selectinload(Measure.years))
        for kind in year_kinds:
            options += [selectinload(Measure.years).selectinload(rel) for rel in _YEAR_PARTS[kind]]
    return options


def apply_changes(session: Session, measure_id: int, fy: int, changes: Sequence[FieldChange]) -> None:
    """Write ``changes`` of the sheet (measure, fiscal year) into the session. The caller commits."""
    paths = [FieldPath.parse(c.path).with_year(fy) for c in changes]
    m = session.scalar(select(Measure).where(Measure.id == measure_id).options(*_write_options(paths)))
    if m is None:
        raise EditError("施策が見つかりません。一覧を更新してください。")
    for path, change in zip(paths, changes, strict=True):
        _write(m, fy, path, change.new)


_SHEET_COLUMNS = {"override_reason": "grade_override_reason"}
_NOT_NULL = {"override_reason", "direction_reason", "author", "chief_confirmed_by"}


def _write(m: Measure, fy: int, p: FieldPath, new: str | None) -> None:
    match p.kind:
        case "sheet":
            my = _year(m, fy)
            column = _SHEET_COLUMNS.get(p.name, p.name)
            if p.name == "entry_status":
                my.entry_status = new or EntryStatus.EMPTY.value
            else:
                setattr(my, column, (new or "") if p.name in _NOT_NULL else new)
        case "text":
            my = _year(m, fy)
            row = next((t for t in my.texts if t.field == p.name), None)
            if new is None:
                if row is not None:
                    my.texts.remove(row)
            elif row is None:
                my.texts.append(SheetText(field=p.name, text=new))
            else:
                row.text = new
        case "perspective":
            my = _year(m, fy)
            score = next((s for s in my.perspective_scores if s.perspective == p.name), None)
            if new is None:
                if score is not None:
                    my.perspective_scores.remove(score)
            elif score is None:
                my.perspective_scores.append(PerspectiveScore(perspective=p.name, score=int(new)))
            else:
                score.score = int(new)
        case "basic":
            setattr(m, p.name, new or "")
        case "indicator":
            assert p.index is not None and p.fy is not None
            ind: Indicator = m.indicators[p.index]
            value = next((v for v in ind.values if v.fiscal_year == p.fy), None)
            if value is None:
                value = IndicatorValue(fiscal_year=p.fy, note="")
                ind.values.append(value)
            if p.name == "note":
                value.note = new or ""
            else:
                setattr(value, p.name, new)
        case "milestones":
            my = _year(m, fy)
            items = json.loads(new or "[]")
            rows = list(my.milestones)
            for i, item in enumerate(items):
                if i < len(rows):
                    row_m = rows[i]
                else:
                    row_m = Milestone(text="")
                    my.milestones.append(row_m)
                row_m.sort_order = i
                row_m.text = item["text"]
                row_m.due_fy = item.get("due_fy")
                row_m.due_month = item.get("due_month")
                row_m.status = item.get("status") or MilestoneStatus.NOT_STARTED.value
            for row_m in rows[len(items) :]:
                my.milestones.remove(row_m)
        case "milestone":
            my = _year(m, fy)
            assert p.index is not None
            row_m = my.milestones[p.index]
            if p.name in ("due_fy", "due_month"):
                setattr(row_m, p.name, int(new) if new else None)
            else:
                setattr(row_m, p.name, new or "")
        case _:
            assert p.fy is not None
            cost = next((c for c in m.cost_rows if c.fiscal_year == p.fy), None)
            if cost is None:
                cost = CostRow(fiscal_year=p.fy)
                m.cost_rows.append(cost)
            if p.name in COST_NUMBER_FIELDS:
                setattr(cost, p.name, Decimal(new) if new is not None else None)
            elif p.name == "execution_note":
                cost.execution_note = new or ""
            else:
                cost.part_time_staff = new
