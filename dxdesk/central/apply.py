"""Writing a submission's data into the central plan tables, inside the merge's transaction.

What a section may change is what is written: per measure, the yearly sheet of the fiscal year (stage,
texts, grade and reason, direction and reason, 作成者, 所属長確認, entry status, perspective scores,
milestones), the year's indicator targets, actuals and notes, the year's costs and itemised lines, and
the measure's basic fields the plan lets sections edit (``section_editable_fields``). Everything else
— names, indicators themselves, other years, the tree, the organisation — stays the central office's,
so a submission made from an older kit can never undo a change of the plan.

The writes are SQLAlchemy Core statements, not the ORM: a few per table for all the files a merge
writes together (:func:`apply_measures` takes their deltas at once), their rows handed to the driver's
``executemany`` by :class:`Many` and their id lists run by :class:`ByIds`, both compiled once by
SQLAlchemy — merging 200 submissions must take seconds. Merges are recorded in ``merge_log`` and the payloads kept
in ``received_submission``, so the per-field audit trail of the entry application is not written here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Connection,
    CursorResult,
    Dialect,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.sql.dml import UpdateBase

from dxdesk.central.intake import BASIC_COLUMNS, MeasureDelta, MergeCode
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.models import (
    Base,
    CostItem,
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

__all__ = ["ByIds", "Many", "PlanIndex", "apply_measures", "check_measures", "load_plan_index", "table_of"]


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (for statements built once and run with parameters)."""
    return cast(Table, model.__table__)


_Plan = tuple[
    str,
    Callable[[Mapping[str, Any]], tuple[Any, ...]],
    tuple[tuple[int, Callable[[Any], Any]], ...],
    list[str] | None,
]


class Many:
    """An INSERT, UPDATE or DELETE run for many rows with the database driver's ``executemany``.

    SQLAlchemy compiles it once per dialect and set of keys — its SQL in the driver's parameter style,
    and the bind processors of the columns' types (``DecimalText``, ``UTCDateTime``, the dialect's own)
    — and a row then costs one tuple of processed values instead of SQLAlchemy's per-row parameter
    handling, which cost more than the database's own work. Every row must give the keys of the first
    (and no other: a row that does not is an error).
    A statement whose SQL would need anything but those keys (a default or ``onupdate`` value filled
    by SQLAlchemy, a value fixed in the statement, an expanding list) is run by ``conn.execute``."""

    def __init__(self, stmt: UpdateBase | Select[Any]) -> None:
        self.stmt = stmt
        self._plans: dict[tuple[str, str, tuple[str, ...]], _Plan | None] = {}

    def _plan(self, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
        compiled = self.stmt.compile(dialect=dialect, column_keys=list(keys))
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        if getattr(compiled, "escaped_bind_names", None) or not names:
            return None
        procs = []
        for i, name in enumerate(names):
            bind = compiled.binds[name]
            fixed = bind.callable is not None or not (bind.required or bind.value is None)
            if name not in keys or bind.expanding or fixed:
                return None
            proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                procs.append((i, proc))
        if set(names) != set(keys):  # a key the statement does not use
            return None
        get = itemgetter(*names)
        one = (lambda row: (get(row),)) if len(names) == 1 else get
        return str(compiled), one, tuple(procs), None if compiled.positional else names

    def _prepared(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> tuple[str, list[Any]] | None:
        keys = tuple(rows[0])
        if len(set(map(len, rows))) != 1:
            raise ValueError(f"rows with other keys than {keys}")
        dialect = conn.dialect
        cache_key = (dialect.name, dialect.driver, keys)
        if cache_key not in self._plans:
            self._plans[cache_key] = self._plan(dialect, keys)
        plan = self._plans[cache_key]
        if plan is None:
            return None
        sql, get, procs, names = plan
        try:  # the plan's names are the keys: a row without one of them has other keys
            values: list[Any] = list(map(get, rows))
        except KeyError as exc:
            raise ValueError(f"rows with other keys than {keys}") from exc
        if procs:  # column by column
            columns = list(zip(*values, strict=True))
            for i, proc in procs:
                columns[i] = tuple(map(proc, columns[i]))
            values = list(zip(*columns, strict=True))
        if names is not None:  # a named parameter style (psycopg: %(name)s)
            values = [dict(zip(names, v, strict=True)) for v in values]
        return sql, values

    def __call__(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once for each row."""
        if not rows:
            return
        prepared = self._prepared(conn, rows)
        if prepared is None:
            conn.execute(self.stmt, list(rows))
        else:
            conn.exec_driver_sql(*prepared)

    def one(self, conn: Connection, row: Mapping[str, Any]) -> CursorResult[Any]:
        """Run the statement once, with ``row``; its result (the driver's values: no result types)."""
        prepared = self._prepared(conn, [row])
        if prepared is None:
            return conn.execute(self.stmt, row)
        sql, values = prepared
        return conn.exec_driver_sql(sql, values[0])


_ID_LIST_SIZES = (8, 32, 128)  # a statement for each, compiled when first needed


class ByIds:
    """A SELECT or DELETE on a list of integer ids (``column IN (…)``) whose SQL is compiled once per
    list size: the list is padded with its last id to the next of a few sizes (the same rows), and cut
    into pieces of at most 128 ids (compiling a statement with more costs more than running it twice).
    SQLAlchemy's expanding lists render the SQL anew at every call. ``build`` makes the statement from
    the list's bind parameters; other parameters are given by name. Rows come as the driver gives them
    (no result types): for integer columns."""

    def __init__(self, build: Callable[[list[BindParameter[int]]], UpdateBase | Select[Any]]) -> None:
        self._build = build
        self._sized: dict[int, tuple[Many, list[str]]] = {}

    def _of_size(self, n: int) -> tuple[Many, list[str]]:
        if n not in self._sized:
            names = [f"id{k}" for k in range(n)]
            self._sized[n] = (Many(self._build([bindparam(name, type_=Integer) for name in names])), names)
        return self._sized[n]

    def __call__(self, conn: Connection, ids: Sequence[int], **params: Any) -> list[Any]:
        """The rows selected (nothing for a DELETE); no statement at all for no ids."""
        out: list[Any] = []
        ids = list(dict.fromkeys(ids))  # each id once: a row is selected once, as by IN (…)
        biggest = _ID_LIST_SIZES[-1]
        for start in range(0, len(ids), biggest):
            part = [int(i) for i in ids[start : start + biggest]]
            size = next(n for n in _ID_LIST_SIZES if n >= len(part))
            stmt, names = self._of_size(size)
            part += [part[-1]] * (size - len(part))
            result = stmt.one(conn, {**dict(zip(names, part, strict=True)), **params})
            if result.returns_rows:
                out += result.all()
        return out


@dataclass
class PlanIndex:
    """The central plan as the merge needs it: codes to row ids, owners of the year, editable fields."""

    plan_id: int
    plan_code: str
    fiscal_year: int
    measures: dict[str, int] = field(default_factory=dict)  # code → measure id
    owners: dict[str, str] = field(default_factory=dict)  # code → owning section in the year
    names: dict[str, str] = field(default_factory=dict)  # code → measure name
    indicators: dict[tuple[int, str], int] = field(default_factory=dict)  # (measure id, code) → id
    editable: tuple[str, ...] = ()


def load_plan_index(
    conn: Connection, plan_id: int, plan_code: str, fy: int, settings: PlanSettings
) -> PlanIndex:
    idx = PlanIndex(
        plan_id, plan_code, fy, editable=tuple(f for f in BASIC_COLUMNS if settings.section_may_edit(f))
    )
    q = (
        select(Measure.id, Measure.code, Measure.name, Measure.owner_section_code, MeasureYear.section_code)
        .outerjoin(MeasureYear, and_(MeasureYear.measure_id == Measure.id, MeasureYear.fiscal_year == fy))
        .where(Measure.plan_id == plan_id)
    )
    for mid, code, name, owner, year_owner in conn.execute(q):
        idx.measures[code] = mid
        idx.names[code] = name
        idx.owners[code] = year_owner or owner
    q2 = (
        select(Indicator.id, Indicator.measure_id, Indicator.code)
        .join(Measure)
        .where(Measure.plan_id == plan_id)
    )
    for iid, mid, code in conn.execute(q2):
        idx.indicators[(mid, code)] = iid
    return idx


def check_measures(
    idx: PlanIndex, section_code: str, deltas: Sequence[MeasureDelta]
) -> tuple[str, str] | None:
    """(reason code, Japanese message) when the submission names something the central plan does not
    have or gives it to another section; None when it can be merged."""
    for d in deltas:
        mid = idx.measures.get(d.code)
        if mid is None:
            return (
                MergeCode.UNKNOWN_MEASURE,
                f"施策「{d.code}」が中央の計画にありません（計画の変更後に古い配布ファイルで作成されたおそれがあります。"
                "新しい配布ファイルを発行してください）",
            )
        owner = idx.owners.get(d.code)
        if owner != section_code:
            return (
                MergeCode.UNKNOWN_MEASURE,
                f"施策「{d.code} {idx.names.get(d.code, '')}」は中央の計画では課所室「{owner}」の担当です",
            )
        for code, *_rest in d.values:
            if (mid, code) not in idx.indicators:
                return (
                    MergeCode.UNKNOWN_MEASURE,
                    f"施策「{d.code}」の指標「{code}」が中央の計画にありません（新しい配布ファイルを発行してください）",
                )
    return None


_MY = table_of(MeasureYear)
_TEXT = table_of(SheetText)
_PERSP = table_of(PerspectiveScore)
_MS = table_of(Milestone)
_IV = table_of(IndicatorValue)
_COST = table_of(CostRow)
_ITEM = table_of(CostItem)
_MEASURE = table_of(Measure)
# Statements built once, run with parameters (``expanding`` lists for IN): constructing a statement per
# file cost more than running it.
_FY: BindParameter[int] = bindparam("fy")
_SEL_MY = ByIds(
    lambda ids: select(_MY.c.measure_id, _MY.c.id).where(_MY.c.measure_id.in_(ids), _MY.c.fiscal_year == _FY)
)
_INS_MY = insert(_MY)
_UPD_MY = update(_MY).where(_MY.c.id == bindparam("b_id"))
_DEL_TEXT = ByIds(lambda ids: delete(_TEXT).where(_TEXT.c.measure_year_id.in_(ids)))
_INS_TEXT = insert(_TEXT)
_DEL_PERSP = ByIds(lambda ids: delete(_PERSP).where(_PERSP.c.measure_year_id.in_(ids)))
_INS_PERSP = insert(_PERSP)
_DEL_MS = ByIds(lambda ids: delete(_MS).where(_MS.c.measure_year_id.in_(ids)))
_INS_MS = insert(_MS)
_SEL_IV = ByIds(
    lambda ids: select(_IV.c.indicator_id, _IV.c.id).where(
        _IV.c.indicator_id.in_(ids), _IV.c.fiscal_year == _FY
    )
)
_UPD_IV = update(_IV).where(_IV.c.id == bindparam("b_id"))
_INS_IV = insert(_IV)
_SEL_COST = ByIds(
    lambda ids: select(_COST.c.measure_id, _COST.c.id).where(
        _COST.c.measure_id.in_(ids), _COST.c.fiscal_year == _FY
    )
)
_UPD_COST = update(_COST).where(_COST.c.id == bindparam("b_id"))
_INS_COST = insert(_COST)
_DEL_ITEM = ByIds(lambda ids: delete(_ITEM).where(_ITEM.c.measure_id.in_(ids), _ITEM.c.fiscal_year == _FY))
_INS_ITEM = insert(_ITEM)
_UPD_MEASURE = update(_MEASURE).where(_MEASURE.c.id == bindparam("b_id"))
# the statements run for many rows at a time, by the driver's executemany
_UPDATE_YEARS = Many(_UPD_MY)
_INSERT_TEXTS = Many(_INS_TEXT)
_INSERT_SCORES = Many(_INS_PERSP)
_INSERT_MILESTONES = Many(_INS_MS)
_UPDATE_VALUES = Many(_UPD_IV)
_INSERT_VALUES = Many(_INS_IV)
_UPDATE_COSTS = Many(_UPD_COST)
_INSERT_COSTS = Many(_INS_COST)
_INSERT_ITEMS = Many(_INS_ITEM)
_UPDATE_BASIC = Many(_UPD_MEASURE)


def apply_measures(conn: Connection, idx: PlanIndex, deltas: Sequence[MeasureDelta]) -> None:
    """Write the deltas (checked with :func:`check_measures`) into the plan tables."""
    fy = idx.fiscal_year
    now = utcnow()
    mids = {d.code: idx.measures[d.code] for d in deltas}
    ids = list(mids.values())

    # the year's sheets: update the ones that exist, insert the others
    year_ids: dict[int, int] = {mid: yid for mid, yid in _SEL_MY(conn, ids, fy=fy)}
    updates = []
    for d in deltas:
        mid = mids[d.code]
        if mid in year_ids:
            updates.append({"b_id": year_ids[mid], **d.year, "updated_at": now})
        else:
            row = {"measure_id": mid, "fiscal_year": fy, "updated_at": now, **d.year}
            year_ids[mid] = conn.execute(_INS_MY, row).inserted_primary_key[0]  # type: ignore[index]
    _UPDATE_YEARS(conn, updates)  # the SET clause comes from the keys (the same in every row)
    my_of = {d.code: year_ids[mids[d.code]] for d in deltas}
    my_ids = list(my_of.values())

    # texts and perspective scores: the submission's set is the whole set of the year
    _DEL_TEXT(conn, my_ids)
    rows: list[dict[str, object]] = [
        {"measure_year_id": my_of[d.code], "field": k, "text": v} for d in deltas for k, v in d.texts.items()
    ]
    _INSERT_TEXTS(conn, rows)
    _DEL_PERSP(conn, my_ids)
    rows = [
        {"measure_year_id": my_of[d.code], "perspective": k, "score": v}
        for d in deltas
        for k, v in d.perspectives.items()
    ]
    _INSERT_SCORES(conn, rows)
    with_milestones = [d for d in deltas if d.milestones is not None]
    if with_milestones:
        _DEL_MS(conn, [my_of[d.code] for d in with_milestones])
        rows = [
            {"measure_year_id": my_of[d.code], **ms} for d in with_milestones for ms in d.milestones or []
        ]
        _INSERT_MILESTONES(conn, rows)

    # the year's indicator values
    wanted = {idx.indicators[(mids[d.code], code)]: (t, a, n) for d in deltas for code, t, a, n in d.values}
    if wanted:
        have = {iid: vid for iid, vid in _SEL_IV(conn, list(wanted), fy=fy)}
        ups = [
            {"b_id": have[iid], "target": t, "actual": a, "note": n}
            for iid, (t, a, n) in wanted.items()
            if iid in have
        ]
        new = [
            {"indicator_id": iid, "fiscal_year": fy, "target": t, "actual": a, "note": n}
            for iid, (t, a, n) in wanted.items()
            if iid not in have
        ]
        _UPDATE_VALUES(conn, ups)
        _INSERT_VALUES(conn, new)

    # the year's costs and itemised lines
    with_cost = [d for d in deltas if d.cost is not None]
    if with_cost:
        have_cost = {mid: cid for mid, cid in _SEL_COST(conn, [mids[d.code] for d in with_cost], fy=fy)}
        cost_ups = [
            {"b_id": have_cost[mids[d.code]], **(d.cost or {})}
            for d in with_cost
            if mids[d.code] in have_cost
        ]
        cost_new = [
            {"measure_id": mids[d.code], "fiscal_year": fy, **(d.cost or {})}
            for d in with_cost
            if mids[d.code] not in have_cost
        ]
        _UPDATE_COSTS(conn, cost_ups)
        _INSERT_COSTS(conn, cost_new)
    _DEL_ITEM(conn, ids, fy=fy)
    rows = [{"measure_id": mids[d.code], **it} for d in deltas for it in d.cost_items]
    _INSERT_ITEMS(conn, rows)

    # basic fields the plan lets sections edit
    if idx.editable:
        basic = [{"b_id": mids[d.code], **{c: d.basic.get(c, "") for c in idx.editable}} for d in deltas]
        _UPDATE_BASIC(conn, basic)
