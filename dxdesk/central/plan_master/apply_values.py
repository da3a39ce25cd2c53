"""Plan master → dataset: past actuals (過去の実績) and milestones (マイルストーン), laid over the measures
as :mod:`~dxdesk.central.plan_master.apply_measures` left them.

Past actuals are read only for years before the survey year, and a blank cell keeps the stored value
(actuals are what sections reported). Milestones are listed per measure and year; a blank 状況 keeps the
stored status of the milestone with the same text, and in the survey year a milestone the section has
started stays even when the file leaves it out.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from dxdesk.central.plan_master import cells as C
from dxdesk.central.plan_master.changes import ADDED, CHANGED, UNCHANGED
from dxdesk.central.plan_master.context import Context
from dxdesk.central.plan_master.layout import COST_COLUMNS, SHEET_ACTUALS, SHEET_MILESTONES, SHEET_YEARS
from dxdesk.central.plan_master.read import Record
from dxdesk.domain.enums import Stage
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.quantity import Quantity

__all__ = ["actuals_part", "milestones_part", "years_part"]


def _ind_code(ind: dict[str, Any], position: int) -> str:
    return str(ind.get("code") or position + 1)


# --- 過去の実績 ---------------------------------------------------------------------------------------


def actuals_part(ctx: Context, new: dict[str, dict[str, Any]]) -> None:
    if SHEET_ACTUALS not in ctx.mf.sheets:
        return
    sheet = SHEET_ACTUALS
    columns = ctx.mf.year_columns.get(sheet, [])
    survey = ctx.current_fy
    usable = []
    records = ctx.mf.records.get(sheet, [])
    for y in columns:
        if survey is not None and y.fy >= survey:
            if all(C.is_blank(rec.years.get(y.fy)) for rec in records):
                continue  # a blank column of the survey year (an older template) is not a problem
            ctx.error(
                sheet,
                1,
                y.label,
                f"調査年度（{fy_label(survey)}）以降の実績は各課が入力します。この列を空欄にするか削除してください。",
            )
        else:
            usable.append(y)
    seen: dict[tuple[str, str], int] = {}
    added = changed = unchanged = 0
    for rec in ctx.mf.records.get(sheet, []):
        mcode, icode = rec.values["measure"], rec.values["indicator"]
        md = ctx.measure_of(rec, new)
        if md is None:
            continue
        ind = next((i for p, i in enumerate(md.get("indicators", [])) if _ind_code(i, p) == icode), None)
        if ind is None:
            ctx.error(
                sheet,
                rec.row,
                rec.where("indicator"),
                f"施策「{mcode}」に指標コード「{icode}」の指標がありません。",
            )
            continue
        if ctx.repeats(rec, (mcode, icode), seen, "indicator", f"施策「{mcode}」の指標「{icode}」"):
            continue
        vt, unit, decimals = ind.get("value_type") or "numeric", ind.get("unit", ""), ind.get("decimals")
        values = ind.setdefault("values", {})
        quantities: list[Quantity] = []
        cells = [(y, "actual", rec.years.get(y.fy)) for y in usable] + [
            (y, "reference", rec.refs.get(y.fy)) for y in ctx.mf.reference_columns.get(sheet, [])
        ]
        for y, name, raw in cells:
            if C.is_blank(raw):
                continue  # a blank cell keeps what the database has
            try:
                if name == "actual":
                    value = C.read_value(raw, vt, "actual", unit, decimals, quantities)
                else:  # a 参考値: a number on another basis, read as it is written
                    value = C.read_value(raw, "numeric", "target", "", None, [])
            except C.CellError as exc:
                ctx.error(sheet, rec.row, y.label, str(exc))
                continue
            entry = values.setdefault(str(y.fy), {})
            value = C.keep_same(entry.get(name), value)
            if entry.get(name) == value:
                unchanged += 1
            else:
                added += entry.get(name) is None
                changed += entry.get(name) is not None
                entry[name] = value
        if quantities:
            new_unit, cumulative, notes = C.quantity_notes(quantities, unit, bool(ind.get("cumulative")))
            ind["unit"], ind["cumulative"] = new_unit, cumulative
            for note in notes:
                ctx.warn(sheet, rec.row, rec.where("indicator"), note)
    if added:
        ctx.changes.add("過去の実績", ADDED, added)
    if changed:
        ctx.changes.add("過去の実績", CHANGED, changed)
    if unchanged:
        ctx.changes.add("過去の実績", UNCHANGED, unchanged)


# --- マイルストーン ------------------------------------------------------------------------------------


def _norm_milestone(ms: dict[str, Any]) -> tuple[Any, ...]:
    return (ms.get("text"), ms.get("due_fy"), ms.get("due_month"), ms.get("status") or "not_started")


def milestones_part(ctx: Context, new: dict[str, dict[str, Any]]) -> dict[str, set[int]]:
    """Milestones per measure and year; returns the years whose list changes, per measure."""
    if SHEET_MILESTONES not in ctx.mf.sheets:
        return {}
    sheet = SHEET_MILESTONES
    groups: dict[tuple[str, int], list[Record]] = {}
    for rec in ctx.mf.records.get(sheet, []):
        if ctx.measure_of(rec, new) is None:
            continue
        groups.setdefault((rec.values["measure"], rec.values["fy"]), []).append(rec)
    changed: dict[str, set[int]] = {}
    for (code, fy), recs in groups.items():
        years = new[code].setdefault("years", {})
        yd = copy.deepcopy(years.get(str(fy)) or {})
        old_list: list[dict[str, Any]] = list(yd.get("milestones") or [])
        unused = list(old_list)
        items: list[dict[str, Any]] = []
        for rec in recs:
            v = rec.values
            match = next((ms for ms in unused if ms.get("text") == v["text"]), None)
            if match is not None:
                unused.remove(match)
            item: dict[str, Any] = {"text": v["text"]}
            for key in ("due_fy", "due_month"):
                value = v[key] if key in v else (match or {}).get(key)
                if value is not None:
                    item[key] = value
            status = v.get("status") or (match or {}).get("status") or "not_started"
            if status != "not_started":
                item["status"] = status
            items.append(item)
        if fy == ctx.current_fy:
            for ms in unused:
                if (ms.get("status") or "not_started") != "not_started":
                    items.append(ms)
                    ctx.warn(
                        sheet,
                        recs[0].row,
                        "",
                        f"施策「{code}」の{fy_label(fy)}のマイルストーン「{ms.get('text', '')}」は課が進捗を入力しているため、ファイルになくても残します。",
                    )
        if [_norm_milestone(m) for m in items] == [_norm_milestone(m) for m in old_list]:
            ctx.changes.add("マイルストーン", UNCHANGED, len(items))
            continue
        ctx.changes.add("マイルストーン", ADDED if not old_list else CHANGED, len(items) or 1)
        yd["milestones"] = items
        years[str(fy)] = yd
        changed.setdefault(code, set()).add(fy)
    return changed


# --- 年度別 (stage and costs per year) -------------------------------------------------------------------


def years_part(
    ctx: Context, new: dict[str, dict[str, Any]]
) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Stage and costs per measure and year; returns (years whose stage changes, years whose costs
    change), per measure. A blank cell keeps the stored value. In the survey year what the section has
    entered wins: a filled cell there only fills what is still blank (注意 when it differs)."""
    if SHEET_YEARS not in ctx.mf.sheets:
        return {}, {}
    sheet = SHEET_YEARS
    seen: dict[tuple[str, int], int] = {}
    stage_years: dict[str, set[int]] = {}
    cost_years: dict[str, set[int]] = {}
    changed = unchanged = 0
    for rec in ctx.mf.records.get(sheet, []):
        v = rec.values
        code, fy = v["measure"], v["fy"]
        md = ctx.measure_of(rec, new)
        if md is None or ctx.repeats(rec, (code, fy), seen, "fy", f"施策「{code}」の{fy_label(fy)}"):
            continue
        survey = fy == ctx.current_fy
        stage = v.get("stage")
        if stage:
            years = md.setdefault("years", {})
            yd = years.setdefault(str(fy), {})
            old = yd.get("stage")
            if old != stage:
                if survey and old:
                    ctx.warn(
                        sheet,
                        rec.row,
                        rec.where("stage"),
                        f"調査年度の段階は課が「{Stage(old).label}」と入力しているため、そのままにします。",
                    )
                else:
                    yd["stage"] = stage
                    stage_years.setdefault(code, set()).add(fy)
                    changed += 1
            else:
                unchanged += 1
        amounts = {key: v[key] for key, _h in COST_COLUMNS if v.get(key) is not None}
        if amounts:
            costs = md.setdefault("costs", {})
            cd = costs.setdefault(str(fy), {})
            touched = False
            for key, amount in amounts.items():
                old_amount = cd.get(key)
                if old_amount is not None and Decimal(old_amount) == Decimal(amount):
                    continue
                if survey and old_amount is not None:
                    label = dict(COST_COLUMNS)[key]
                    ctx.warn(
                        sheet,
                        rec.row,
                        rec.where(key),
                        f"調査年度の{label}は課が「{old_amount}」と入力しているため、そのままにします。",
                    )
                    continue
                cd[key] = amount
                touched = True
            if touched:
                cost_years.setdefault(code, set()).add(fy)
                changed += 1
            else:
                unchanged += 1
    if changed:
        ctx.changes.add("年度別", CHANGED, changed)
    if unchanged:
        ctx.changes.add("年度別", UNCHANGED, unchanged)
    return stage_years, cost_years
