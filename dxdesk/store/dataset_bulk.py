"""Bulk insertion of a dataset's new measures on SQLite (Core executemany, ids assigned in Python).

Importing a whole city's plan (6,000 measures, about 300,000 rows) through the unit of work takes
most of a minute; inserting rows in batches takes a few seconds. Used by
``dxdesk.store.dataset.import_dataset`` for measures the plan does not have yet; the values go through
the same field readers as the ORM path, so both paths store exactly the same rows
(tests/test_dataset.py compares them). Bulk statements bypass the audit trail, as imports do anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxdesk.store import models as orm
from dxdesk.store.dataset import (
    cost_fields,
    cost_item_fields,
    indicator_fields,
    measure_fields,
    node_for,
    value_fields,
    year_fields,
)

__all__ = ["insert_new_measures"]


class _Ids:
    """Row ids handed out in Python, so that children can be inserted without RETURNING.

    (RETURNING with ordered rows makes SQLAlchemy fall back to one statement per row on SQLite.) Only
    used on SQLite, where the transaction already holds the database's single write lock (the plan was
    flushed), so nobody else can take the same ids."""

    def __init__(self, session: Session, models: Sequence[Any]):
        if session.get_bind().dialect.name != "sqlite":
            raise RuntimeError("the bulk import hands out ids itself: SQLite only")
        self.next = {m: int(session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model: Any, n: int) -> range:
        start = self.next[model]
        self.next[model] = start + n
        return range(start, start + n)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(model.__table__.insert(), rows)


def insert_new_measures(
    session: Session,
    plan: orm.Plan,
    node_ids: Mapping[str, int],
    items: Sequence[tuple[int, Mapping[str, Any]]],
) -> None:
    """Insert ``items`` — (position in the dataset, measure dict) of measures new to the plan."""
    measures: list[dict[str, Any]] = []
    for order, md in items:
        where = f"measures[{order}]"
        row = {"plan_id": plan.id, "code": str(md["code"]), "node_id": node_for(md, node_ids, where)}
        row.update(measure_fields(md, order, where))
        measures.append(row)
    ids = _Ids(session, (orm.Measure, orm.Indicator, orm.MeasureYear))
    measure_ids = list(ids.take(orm.Measure, len(measures)))
    for mid, row in zip(measure_ids, measures, strict=True):
        row["id"] = mid
    _insert(session, orm.Measure, measures)

    related: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    years: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    costs: list[dict[str, Any]] = []
    cost_items: list[dict[str, Any]] = []
    for mid, (order, md) in zip(measure_ids, items, strict=True):
        where = f"measures[{order}]"
        for i, c in enumerate(md.get("related", [])):
            related.append({"measure_id": mid, "section_code": str(c), "role": "related", "sort_order": i})
        for i, idd in enumerate(md.get("indicators", [])):
            w = f"{where}.indicators[{i}]"
            fields = indicator_fields(idd, i, w)
            (ind_id,) = ids.take(orm.Indicator, 1)
            indicators.append({"id": ind_id, "measure_id": mid, **fields})
            for fy_text, vd in (idd.get("values") or {}).items():
                fy, cols = value_fields(fy_text, vd, fields, w)
                values.append({"indicator_id": ind_id, "fiscal_year": fy, **cols})
        for fy_text, yd in (md.get("years") or {}).items():
            yf = year_fields(fy_text, yd, f"{where}.years")
            (my_id,) = ids.take(orm.MeasureYear, 1)
            years.append({"id": my_id, "measure_id": mid, "fiscal_year": yf.fiscal_year, **yf.columns})
            texts += [{"measure_year_id": my_id, "field": k, "text": v} for k, v in yf.texts.items()]
            scores += [
                {"measure_year_id": my_id, "perspective": k, "score": v} for k, v in yf.perspectives.items()
            ]
            milestones += [{"measure_year_id": my_id, **ms} for ms in yf.milestones or []]
        for fy_text, cd in (md.get("costs") or {}).items():
            fy, cols = cost_fields(fy_text, cd, where)
            costs.append({"measure_id": mid, "fiscal_year": fy, **cols})
        for i, it in enumerate(md.get("cost_items") or []):
            cost_items.append({"measure_id": mid, **cost_item_fields(it, i, where)})
    for model, rows in (
        (orm.MeasureSection, related),
        (orm.Indicator, indicators),
        (orm.IndicatorValue, values),
        (orm.MeasureYear, years),
        (orm.SheetText, texts),
        (orm.PerspectiveScore, scores),
        (orm.Milestone, milestones),
        (orm.CostRow, costs),
        (orm.CostItem, cost_items),
    ):
        _insert(session, model, rows)
