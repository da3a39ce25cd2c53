"""The audit trail: every change to sheet data is recorded as who, when, which field, old → new.

Recording happens in a ``before_flush`` hook, so every path that changes data through the ORM (GUI
autosave, CLI, imports) is covered without the caller remembering to log. Bulk loads that are not
edits by a person (demo data, kit import) switch it off with ``session.info["audit"] = False``; the
person's name comes from ``session.info["user"]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from dxdesk.store.models import (
    AuditLog,
    CostRow,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureYear,
    Milestone,
    PerspectiveScore,
    SheetText,
    utcnow,
)

__all__ = ["install"]

_SKIP_COLUMNS = frozenset({"id", "updated_at", "measure_id", "measure_year_id", "indicator_id", "plan_id"})
AUDITED = (Measure, MeasureYear, SheetText, PerspectiveScore, Milestone, Indicator, IndicatorValue, CostRow)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def _context(obj: Any) -> tuple[str | None, int | None, str]:
    """(measure code, fiscal year, field prefix) of an audited object."""
    if isinstance(obj, Measure):
        return obj.code, None, ""
    if isinstance(obj, MeasureYear):
        return (obj.measure.code if obj.measure else None), obj.fiscal_year, ""
    if isinstance(obj, SheetText):
        my = obj.measure_year
        return (
            (my.measure.code if my and my.measure else None),
            (my.fiscal_year if my else None),
            f"texts.{obj.field}",
        )
    if isinstance(obj, PerspectiveScore):
        my = obj.measure_year
        code = my.measure.code if my and my.measure else None
        return code, (my.fiscal_year if my else None), f"perspectives.{obj.perspective}"
    if isinstance(obj, Milestone):
        my = obj.measure_year
        code = my.measure.code if my and my.measure else None
        return code, (my.fiscal_year if my else None), f"milestones[{obj.sort_order}]"
    if isinstance(obj, Indicator):
        return (obj.measure.code if obj.measure else None), None, f"indicators[{obj.sort_order}]"
    if isinstance(obj, IndicatorValue):
        ind = obj.indicator
        code = ind.measure.code if ind and ind.measure else None
        return code, obj.fiscal_year, f"indicators[{ind.sort_order if ind else '?'}]"
    if isinstance(obj, CostRow):
        return (obj.measure.code if obj.measure else None), obj.fiscal_year, f"costs[{obj.fiscal_year}]"
    return None, None, ""


def _field(prefix: str, column: str, obj: Any) -> str:
    if isinstance(obj, SheetText) and column == "text":
        return prefix
    if isinstance(obj, PerspectiveScore) and column == "score":
        return prefix
    return f"{prefix}.{column}" if prefix else column


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    if session.info.get("audit", True) is False:
        return
    user = str(session.info.get("user", ""))
    now = utcnow()
    entries: list[AuditLog] = []

    def entry(
        obj: Any, where: tuple[Any, Any, str], row_id: int | None, field: str, old: Any, new: Any
    ) -> None:
        code, fy, _prefix = where
        entries.append(
            AuditLog(
                at=now,
                user_name=user,
                table_name=obj.__tablename__,
                row_id=row_id,
                measure_code=code,
                fiscal_year=fy,
                field=field,
                old_value=_text(old),
                new_value=_text(new),
            )
        )

    for obj in list(session.dirty):
        if not isinstance(obj, AUDITED) or not session.is_modified(obj, include_collections=False):
            continue
        where = _context(obj)
        prefix = where[2]
        state: Any = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in _SKIP_COLUMNS:
                continue
            hist = state.attrs[attr.key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _text(old) == _text(new):
                continue
            entry(obj, where, obj.id, _field(prefix, attr.key, obj), old, new)
    for obj in list(session.new):
        if isinstance(obj, (SheetText, PerspectiveScore, IndicatorValue, Milestone)):
            where = _context(obj)
            prefix = where[2]
            value: Any
            if isinstance(obj, SheetText):
                value, field = obj.text, prefix
            elif isinstance(obj, PerspectiveScore):
                value, field = obj.score, prefix
            elif isinstance(obj, Milestone):
                value, field = obj.text, f"{prefix}.text"
            else:
                value = f"目標={obj.target or ''} 実績={obj.actual or ''}"
                field = f"{prefix}.values"
            entry(obj, where, None, field, None, value)
    for obj in list(session.deleted):
        if isinstance(obj, (SheetText, PerspectiveScore, IndicatorValue, Milestone)):
            where = _context(obj)
            prefix = where[2]
            old_text = getattr(obj, "text", None) if not isinstance(obj, PerspectiveScore) else obj.score
            entry(obj, where, obj.id, f"{prefix}.deleted" if prefix else "deleted", old_text, None)
    session.add_all(entries)


_installed = False


def install() -> None:
    """Register the hook on every Session (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True
