"""Plan master → dataset, second half: measures, indicators with their yearly targets, past actuals and
milestones, laid over the measures the database holds.

What sections enter is never taken from the file: the yearly sheets (texts, grades, direction …),
actuals of the survey year, costs. Past actuals are read only for years before the survey year, and a
blank cell there keeps the value the database has. An indicator that holds actuals cannot be removed
(it gets a last year of use instead). Numbers equal to what is stored keep the stored text (Excel
turns 「280.0」 into 280), so the same file read twice changes nothing.

A measure is "changed" when the columns the dataset import would write differ — compared through the
dataset's own field readers (``dxdesk.store.dataset.measure_fields`` …), so this module and the
import can never disagree about what a change is.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dxdesk.central.plan_master import cells as C
from dxdesk.central.plan_master.apply_values import actuals_part, milestones_part, years_part
from dxdesk.central.plan_master.changes import ADDED, CHANGED, REMOVED, UNCHANGED
from dxdesk.central.plan_master.context import Context
from dxdesk.central.plan_master.layout import (
    INDICATOR_CHECKS,
    SHEET_INDICATORS,
    SHEET_MEASURES,
    VALUE_TYPE_WORDS,
)
from dxdesk.central.plan_master.read import Record
from dxdesk.domain.fiscal import fy_short
from dxdesk.domain.quantity import Quantity
from dxdesk.domain.values import ValueInputError, normalize_value
from dxdesk.store.dataset import DatasetError, indicator_fields, measure_fields

__all__ = ["MeasurePlan", "measures_part"]

TEXT_FIELDS = ("name", "purpose", "summary", "target_group", "budget_item", "legal_basis", "period_label")


@dataclass
class MeasurePlan:
    """The measures after the file: those to import, and the order of all of them."""

    entries: list[dict[str, Any]] = field(default_factory=list)  # dataset measures to import
    order: list[str] = field(default_factory=list)  # every measure code, in the plan's new order
    order_changed: bool = False


def _ind_code(ind: dict[str, Any], position: int) -> str:
    return str(ind.get("code") or position + 1)


def measures_part(ctx: Context) -> MeasurePlan:
    current = {m["code"]: m for m in ctx.current.get("measures", [])}
    new = {code: copy.deepcopy(m) for code, m in current.items()}
    file_codes: list[str] = []
    if SHEET_MEASURES in ctx.mf.sheets:
        attr_keys = _attribute_columns(ctx)
        rows: dict[str, int] = {}
        for rec in ctx.mf.records.get(SHEET_MEASURES, []):
            code = rec.values["code"]
            if code in rows:
                ctx.error(
                    SHEET_MEASURES,
                    rec.row,
                    rec.where("code"),
                    f"施策コード「{code}」が{rows[code]}行目と重複しています。",
                )
                continue
            rows[code] = rec.row
            file_codes.append(code)
            md = new.setdefault(code, {"code": code})
            _overlay_measure(ctx, rec, md, current.get(code), attr_keys)
            _check_references(ctx, rec, md)
        _check_others(ctx, new, set(file_codes) | ctx.mf.row_codes.get(SHEET_MEASURES, set()))
    _indicators(ctx, new, current)
    actuals_part(ctx, new)
    milestone_years = milestones_part(ctx, new)
    stage_years, cost_years = years_part(ctx, new)
    for code, fys in stage_years.items():
        milestone_years.setdefault(code, set()).update(fys)
    plan = MeasurePlan()
    current_order = [m["code"] for m in ctx.current.get("measures", [])]
    plan.order = file_codes + [c for c in current_order if c not in set(file_codes)]
    plan.order_changed = [c for c in plan.order if c in current] != current_order
    if plan.order_changed and current:
        ctx.changes.notes.append("施策の並び順をファイルの順に変えます。")
    for code in plan.order:
        md = new[code]
        old = current.get(code)
        try:
            same = old is not None and _canon(md) == _canon(old)
        except DatasetError as exc:
            ctx.error(SHEET_MEASURES, None, "", f"施策「{code}」を読み込めません：{exc}")
            continue
        years = milestone_years.get(code, set())
        if code in set(file_codes):
            ctx.changes.add("施策", ADDED if old is None else (UNCHANGED if same else CHANGED))
        costs = cost_years.get(code, set())
        if same and not years and not costs:
            continue
        entry = {k: v for k, v in md.items() if k not in ("years", "costs", "cost_items")}
        if years:
            entry["years"] = {str(fy): md["years"][str(fy)] for fy in sorted(years)}
        if costs:
            entry["costs"] = {str(fy): md["costs"][str(fy)] for fy in sorted(costs)}
        plan.entries.append(entry)
    return plan


def _canon(md: dict[str, Any]) -> Any:
    """What the dataset import would write for a measure: its fields and indicators through the dataset's
    field readers, and the yearly values as stored text (both sides hold ``Value.to_storage()`` text
    already, so they are compared as they are — re-reading 100,000 values took seconds)."""
    fields = measure_fields(md, 0, "")
    fields.pop("sort_order")
    indicators = []
    for p, idd in enumerate(md.get("indicators", [])):
        fi = indicator_fields(idd, p, "")
        values = {
            int(fy): (vd.get("target"), vd.get("actual"), vd.get("reference"), vd.get("note") or "")
            for fy, vd in (idd.get("values") or {}).items()
            if vd.get("target") is not None
            or vd.get("actual") is not None
            or vd.get("reference") is not None
            or vd.get("note")
        }
        indicators.append((fi, values))
    return fields, md.get("node"), [str(c) for c in md.get("related", [])], indicators


# --- 施策 ------------------------------------------------------------------------------------------


def _attribute_columns(ctx: Context) -> dict[str, str]:
    """Attribute column header → attribute key; unknown headers are problems."""
    out: dict[str, str] = {}
    by_label = {label: key for key, label in ctx.settings.measure_attributes}
    keys = {key for key, _label in ctx.settings.measure_attributes}
    for header, where in ctx.mf.attribute_columns.items():
        key = by_label.get(header) or (header if header in keys else None)
        if key is None:
            ctx.error(
                SHEET_MEASURES,
                1,
                where,
                f"列「{header[:30]}」は施策シートの列にも属性シートの属性名にもありません。属性なら属性シートに追加し、そうでなければ列を削除してください。",
            )
            continue
        out[header] = key
    return out


def _kind_key(ctx: Context, text: str) -> str | None:
    kinds = ctx.settings.measure_kinds
    if text in kinds:
        return text
    return next((k for k, label in kinds.items() if label == text), None)


def _overlay_measure(
    ctx: Context, rec: Record, md: dict[str, Any], old: dict[str, Any] | None, attr_keys: dict[str, str]
) -> None:
    v = rec.values
    for key in TEXT_FIELDS:
        if key not in v:
            continue
        if not v[key] and old and old.get(key) and ctx.settings.section_may_edit(key):
            continue  # a field sections edit: blank in the file keeps what they wrote
        md[key] = v[key]
    if "node" in v:
        if v["node"]:
            md["node"] = v["node"]
        elif old and old.get("node"):
            ctx.warn(
                SHEET_MEASURES,
                rec.row,
                rec.where("node"),
                f"体系コードが空欄のため、今の体系（{old['node']}）のままにします。",
            )
    kinds = ctx.settings.measure_kinds
    first_kind = "measure" if "measure" in kinds else next(iter(kinds), "measure")
    if v.get("kind"):
        kind = _kind_key(ctx, v["kind"])
        if kind is None:
            labels = "・".join(ctx.settings.measure_kinds.values())
            ctx.error(
                SHEET_MEASURES,
                rec.row,
                rec.where("kind"),
                f"種別「{v['kind']}」は種別シートにありません（{labels}）。",
            )
        else:
            md["kind"] = kind
    elif old is None or "kind" in v:
        md["kind"] = (old or {}).get("kind") or first_kind
    for key in ("owner", "related", "sdgs", "start_fy", "end_fy", "leading"):
        if key in v:
            md[key] = v[key]
    if "related" in v:
        md["related"] = [
            c for i, c in enumerate(v["related"]) if c not in v["related"][:i] and c != md.get("owner")
        ]
    start, end = md.get("start_fy"), md.get("end_fy")
    if start is not None and end is not None and start > end:
        ctx.error(SHEET_MEASURES, rec.row, rec.where("end_fy"), "終了年度が開始年度より前です。")
    attributes = dict(md.get("attributes") or {})
    for header, raw in rec.attributes.items():
        attr = attr_keys.get(header)
        if attr is None:
            continue
        try:
            text = C.read_text(raw, 300)
        except C.CellError as exc:
            ctx.error(SHEET_MEASURES, rec.row, ctx.mf.attribute_columns[header], str(exc))
            continue
        if text:
            attributes[attr] = text
        else:
            attributes.pop(attr, None)
    md["attributes"] = attributes


def _check_references(ctx: Context, rec: Record, md: dict[str, Any]) -> None:
    owner = md.get("owner")
    if owner and owner not in ctx.section_codes:
        ctx.error(
            SHEET_MEASURES,
            rec.row,
            rec.where("owner"),
            f"課所室コード「{owner}」が課所室シートにありません。",
        )
    for code in md.get("related", []):
        if code not in ctx.section_codes:
            ctx.error(
                SHEET_MEASURES,
                rec.row,
                rec.where("related"),
                f"課所室コード「{code}」が課所室シートにありません。",
            )
    node = md.get("node")
    if node and node not in ctx.node_codes:
        ctx.error(
            SHEET_MEASURES, rec.row, rec.where("node"), f"体系コード「{node}」が計画体系シートにありません。"
        )


def _check_others(ctx: Context, new: dict[str, dict[str, Any]], in_file: set[str]) -> None:
    """Measures of the database the file does not list must still fit the new tree and kinds."""
    missing = [code for code in new if code not in in_file]
    bad_node = [c for c in missing if new[c].get("node") and new[c]["node"] not in ctx.node_codes]
    bad_kind = [c for c in missing if new[c].get("kind", "measure") not in ctx.settings.measure_kinds]
    if bad_node:
        ctx.error(
            SHEET_MEASURES,
            None,
            "",
            f"施策シートにない登録済みの施策{len(bad_node)}件（{_some(bad_node)}）が、計画体系シートにない体系に属しています。"
            "施策シートに行を加えて体系を指定するか、計画体系シートに体系を戻してください。",
        )
    if bad_kind:
        ctx.error(
            SHEET_MEASURES,
            None,
            "",
            f"施策シートにない登録済みの施策{len(bad_kind)}件（{_some(bad_kind)}）の種別が種別シートにありません。",
        )
    if missing:
        ctx.warn(
            SHEET_MEASURES,
            None,
            "",
            f"施策シートにない登録済みの施策が{len(missing)}件あります（{_some(missing)}）。削除せずそのまま残します。",
        )


def _some(codes: list[str], n: int = 5) -> str:
    return "、".join(codes[:n]) + ("…" if len(codes) > n else "")


# --- 指標 ------------------------------------------------------------------------------------------


def _indicators(ctx: Context, new: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]) -> None:
    if SHEET_INDICATORS not in ctx.mf.sheets:
        return
    groups: dict[str, list[Record]] = {}
    for rec in ctx.mf.records.get(SHEET_INDICATORS, []):
        if ctx.measure_of(rec, new) is None:
            continue
        groups.setdefault(rec.values["measure"], []).append(rec)
    for mcode, recs in groups.items():
        md = new[mcode]
        old_list = (current.get(mcode) or {}).get("indicators", [])
        by_code = {_ind_code(i, p): i for p, i in enumerate(old_list)}
        result: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for p, rec in enumerate(recs):
            code = rec.values.get("code") or str(p + 1)
            if code in seen:
                ctx.error(
                    SHEET_INDICATORS,
                    rec.row,
                    rec.where("code"),
                    f"施策「{mcode}」の指標コード「{code}」が{seen[code]}行目と重複しています。",
                )
                continue
            seen[code] = rec.row
            before = by_code.get(code)
            ind = _overlay_indicator(ctx, rec, copy.deepcopy(before) if before else {}, code)
            result.append(ind)
            checks_changed = _checks(ctx, rec, mcode, code)
            if before is None:
                ctx.changes.add("指標", ADDED)
            else:
                try:
                    same = _canon({"name": "x", "owner": "x", "indicators": [ind]}) == _canon(
                        {"name": "x", "owner": "x", "indicators": [{**before, "code": code}]}
                    )
                except DatasetError:
                    same = False
                ctx.changes.add("指標", UNCHANGED if same and not checks_changed else CHANGED)
        for code, ind in by_code.items():
            if code in seen:
                continue
            entered = [fy for fy, vd in (ind.get("values") or {}).items() if vd.get("actual") is not None]
            if entered:
                ctx.error(
                    SHEET_INDICATORS,
                    None,
                    "",
                    f"施策「{mcode}」の指標「{ind.get('name', '')}」（指標コード {code}）には実績（{fy_short(int(entered[-1]))}など）が入力されているため削除できません。"
                    "行を戻し、使わなくなった指標は「使用終了年度」に最後の年度を入れてください。",
                )
            else:
                ctx.changes.add("指標", REMOVED)
        md["indicators"] = result


def _checks(ctx: Context, rec: Record, mcode: str, code: str) -> bool:
    """Note the central office's checks the row sets (区分（中央確定）, 値の下限・上限; a blank cell keeps
    the stored one); whether they differ from the stored ones."""
    wanted = {k: rec.values[k] for k in INDICATOR_CHECKS if rec.values.get(k) is not None}
    stored = ctx.stored_checks.get((mcode, code), {})
    low = wanted.get("plausible_min", stored.get("plausible_min"))
    high = wanted.get("plausible_max", stored.get("plausible_max"))
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        ctx.error(
            SHEET_INDICATORS,
            rec.row,
            rec.where("plausible_min" if "plausible_min" in wanted else "plausible_max"),
            f"値の下限（{low}）が上限（{high}）より大きくなっています。",
        )
        return False
    if not wanted:
        return False
    ctx.file_checks[(mcode, code)] = wanted
    return any(stored.get(k) != v for k, v in wanted.items())


def _overlay_indicator(ctx: Context, rec: Record, ind: dict[str, Any], code: str) -> dict[str, Any]:
    v = rec.values
    sheet = SHEET_INDICATORS
    old_type = ind.get("value_type") or "numeric"
    ind["code"] = code
    for key in ("name", "unit", "rationale", "note", "cumulative", "reference_only"):
        if key in v:
            ind[key] = v[key]
    for key, default in (("kind", "outcome"), ("direction", "up"), ("value_type", "numeric")):
        if key in v:
            ind[key] = v[key] or default
    for key in ("decimals", "baseline_fy", "final_target_fy", "valid_from_fy", "valid_to_fy"):
        if key in v:
            ind[key] = v[key]
    vt, unit, decimals = ind.get("value_type") or "numeric", ind.get("unit", ""), ind.get("decimals")
    seen: list[Quantity] = []
    for key in ("baseline", "final_target"):
        if key in v:
            try:
                ind[key] = C.keep_same(ind.get(key), C.read_value(v[key], vt, "target", unit, decimals, seen))
            except C.CellError as exc:
                ctx.error(sheet, rec.row, rec.where(key), str(exc))
    start, end = ind.get("valid_from_fy"), ind.get("valid_to_fy")
    if start is not None and end is not None and start > end:
        ctx.error(sheet, rec.row, rec.where("valid_to_fy"), "使用終了年度が使用開始年度より前です。")
    values: dict[str, dict[str, Any]] = ind.setdefault("values", {})
    for y in ctx.mf.year_columns.get(sheet, []):
        try:
            target = C.read_value(rec.years.get(y.fy), vt, "target", unit, decimals, seen)
        except C.CellError as exc:
            ctx.error(sheet, rec.row, y.label, str(exc))
            continue
        entry = values.setdefault(str(y.fy), {})
        target = C.keep_same(entry.get("target"), target)
        if target is None:
            entry.pop("target", None)
        else:
            entry["target"] = target
        if not entry:
            del values[str(y.fy)]
    if seen:
        new_unit, cumulative, notes = C.quantity_notes(seen, unit, bool(ind.get("cumulative")))
        ind["unit"], ind["cumulative"] = new_unit, cumulative
        for note in notes:
            ctx.warn(sheet, rec.row, rec.where("name"), note)
    if vt != old_type:
        _check_values_fit(ctx, rec, ind, vt, unit)
    return ind


def _check_values_fit(ctx: Context, rec: Record, ind: dict[str, Any], vt: str, unit: str) -> None:
    """After a change of value type, every stored value must still read under the new type."""
    word = VALUE_TYPE_WORDS.get(vt, vt)
    for fy_text, vd in sorted((ind.get("values") or {}).items()):
        for role, label in (("actual", "実績"), ("target", "目標")):
            stored = vd.get(role)
            if stored is None:
                continue
            try:
                normalize_value(stored, vt, role=role, unit=unit)
            except ValueInputError:
                ctx.error(
                    SHEET_INDICATORS,
                    rec.row,
                    rec.where("value_type"),
                    f"値の種類を「{word}」にすると、登録済みの{fy_short(int(fy_text))}の{label}「{stored}」が読めなくなります。値の種類を戻すか、別の指標コードで新しい指標にしてください。",
                )
                return
