"""Loading a yearly sheet into an :class:`~dxdesk.domain.editing.EditableSheet`, and writing its
field changes back to the database.

:func:`apply_changes` is what the autosave thread runs for every committed field (and for undo and
redo): the one field-change applier, :func:`dxdesk.domain.editing.apply_field`, decides each field's
value (the same one the sheet in memory holds) and hands it to :class:`_Rows`, which finds or creates
the rows it belongs in (``measure_year``, ``sheet_text``, ``indicator_value``, ``cost_row`` …). The
audit trail records the change in the same transaction. Text that could not be read is kept apart
(:func:`save_unread`, table ``unread_input``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxdesk.domain.audit import CostItemLine
from dxdesk.domain.editing import BasicInfo, EditableSheet, EditError, FieldChange, UnreadInput, apply_field
from dxdesk.domain.enums import EntryStatus, MilestoneStatus
from dxdesk.domain.fields import BASIC_FIELDS, FieldPath
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.models import (
    CostItem,
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

__all__ = ["apply_changes", "load_cost_items", "load_sheet", "load_unread", "save_unread"]


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
        initiatives=tuple(
            line.strip() for line in str(attrs.get("initiatives") or "").splitlines() if line.strip()
        ),
    )
    basic = {name: str(getattr(m, name) or "") for name in BASIC_FIELDS}
    unread = load_unread(session, [m.id], fy).get(m.id, [])
    status = my.entry_status if my else None
    items = [
        {"category": ci.category, "label": ci.label, "budget": ci.budget, "settlement": ci.settlement}
        for ci in sorted(m.cost_items, key=lambda ci: ci.sort_order)
        if ci.fiscal_year == fy
    ]
    return EditableSheet(m.id, fy, settings, snap, info, basic, status, milestones, unread, items)


def load_cost_items(
    session: Session, measure_ids: Sequence[int] | None, fy: int
) -> dict[int, list[CostItemLine]]:
    """The 事業費内訳 lines of ``fy`` (category, label, budget, settlement), by measure id."""
    query = select(CostItem).where(CostItem.fiscal_year == fy).order_by(CostItem.sort_order, CostItem.id)
    if measure_ids is not None:
        query = query.where(CostItem.measure_id.in_(measure_ids))
    out: dict[int, list[CostItemLine]] = {}
    for ci in session.scalars(query):
        out.setdefault(ci.measure_id, []).append((ci.category, ci.label, ci.budget, ci.settlement))
    return out


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
    if kinds & {"cost_items", "cost_item"}:
        options.append(selectinload(Measure.cost_items))
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
    rows = _Rows(m, fy)
    for path, change in zip(paths, changes, strict=True):
        apply_field(rows, path, change.new)


_SHEET_COLUMNS = {"override_reason": "grade_override_reason"}


def _put_keyed(rows: list[Any], model: type, key_attr: str, key: str, value_attr: str, value: Any) -> None:
    """Set the value of the child row with ``key`` (a sheet text by field, a score by perspective):
    None removes the row, a missing row is added."""
    row = next((r for r in rows if getattr(r, key_attr) == key), None)
    if value is None:
        if row is not None:
            rows.remove(row)
    elif row is None:
        rows.append(model(**{key_attr: key, value_attr: value}))
    else:
        setattr(row, value_attr, value)


class _Rows:
    """The :class:`~dxdesk.domain.editing.FieldTarget` of one measure's rows: where
    :func:`~dxdesk.domain.editing.apply_field` puts a value in the database (creating the rows a
    field needs)."""

    def __init__(self, m: Measure, fy: int):
        self.m = m
        self.fy = fy

    def put_sheet(self, name: str, value: Any) -> None:
        my = _year(self.m, self.fy)
        if name == "entry_status":
            value = value or EntryStatus.EMPTY.value
        setattr(my, _SHEET_COLUMNS.get(name, name), value)

    def put_text(self, key: str, text: str | None) -> None:
        _put_keyed(_year(self.m, self.fy).texts, SheetText, "field", key, "text", text)

    def put_score(self, key: str, score: int | None) -> None:
        _put_keyed(
            _year(self.m, self.fy).perspective_scores, PerspectiveScore, "perspective", key, "score", score
        )

    def put_basic(self, name: str, text: str) -> None:
        setattr(self.m, name, text)

    def put_indicator(self, index: int, fy: int, name: str, value: str | None) -> None:
        ind: Indicator = self.m.indicators[index]
        row = next((v for v in ind.values if v.fiscal_year == fy), None)
        if row is None:
            row = IndicatorValue(fiscal_year=fy, note="")
            ind.values.append(row)
        setattr(row, name, value)

    def put_milestones(self, items: list[dict[str, Any]]) -> None:
        my = _year(self.m, self.fy)
        rows = list(my.milestones)
        for i, item in enumerate(items):
            if i < len(rows):
                row = rows[i]
            else:
                row = Milestone(text="")
                my.milestones.append(row)
            row.sort_order = i
            row.text = item["text"]
            row.due_fy = item.get("due_fy")
            row.due_month = item.get("due_month")
            row.status = item.get("status") or MilestoneStatus.NOT_STARTED.value
        for row in rows[len(items) :]:
            my.milestones.remove(row)

    def put_milestone(self, index: int, name: str, value: Any) -> None:
        setattr(_year(self.m, self.fy).milestones[index], name, value)

    def put_cost(self, fy: int, name: str, value: Any) -> None:
        cost = next((c for c in self.m.cost_rows if c.fiscal_year == fy), None)
        if cost is None:
            cost = CostRow(fiscal_year=fy)
            self.m.cost_rows.append(cost)
        setattr(cost, name, value)

    def _items(self) -> list[CostItem]:
        return sorted(
            (ci for ci in self.m.cost_items if ci.fiscal_year == self.fy), key=lambda ci: ci.sort_order
        )

    def put_cost_items(self, items: list[dict[str, Any]]) -> None:
        rows = self._items()
        for i, item in enumerate(items):
            if i < len(rows):
                row = rows[i]
            else:
                row = CostItem(fiscal_year=self.fy, label="")
                self.m.cost_items.append(row)
            row.sort_order = i
            row.category, row.label = item["category"], item["label"]
            row.budget, row.settlement = item["budget"], item["settlement"]
        for row in rows[len(items) :]:
            self.m.cost_items.remove(row)

    def put_cost_item(self, index: int, name: str, value: Any) -> None:
        setattr(self._items()[index], name, value)
