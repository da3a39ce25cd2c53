"""Plan master → dataset, first half: the plan's basic settings, kinds and attributes, the organisation
(部局・課所室) and the plan tree.

Each function takes what the database holds (``ctx.current``, a ``dxdesk/dataset/1`` document) and lays
the file's rows over it. A sheet the file does not have leaves that part as it is; rows are matched by
code; rows of the database the file does not list stay (sections and bureaus) or are removed when
nothing uses them (tree nodes). Problems go to ``ctx`` with their sheet, row and column.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from dxdesk.central.plan_master.changes import ADDED, CHANGED, REMOVED, UNCHANGED
from dxdesk.central.plan_master.context import Context
from dxdesk.central.plan_master.layout import (
    NOT_SET,
    PRINT_DEFAULTS,
    SHEET_ATTRIBUTES,
    SHEET_KINDS,
    SHEET_MEASURES,
    SHEET_PLAN,
    SHEET_SECTIONS,
    SHEET_TREE,
)
from dxdesk.central.plan_master.read import Record
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.settings import PlanSettings, SettingsError, default_settings_dict
from dxdesk.report.errors import PrintError
from dxdesk.report.options import PrintOptions

__all__ = ["GOVERNED_SETTINGS", "PRINT_SETTINGS", "SHEET_SETTINGS", "org_part", "plan_part", "tree_part"]

PLAN_FIELDS = (
    "code",
    "name",
    "municipality",
    "version_label",
    "period_start_fy",
    "period_end_fy",
    "current_fy",
)
# settings the 基本設定 rows hold, and those with their own sheets; the rest travels as JSON
PRINT_SETTINGS = ("rate_decimals", "indicator_years", "basic_fields", "cost_year_labels")
GOVERNED_SETTINGS = ("level_names", "evaluation_scheme", "yearly_targets", "cost_unit", *PRINT_SETTINGS)
SHEET_SETTINGS = ("measure_kinds", "measure_attributes")


def _item_row(ctx: Context, key: str) -> int | None:
    return ctx.mf.plan_rows.get(key)


def plan_part(ctx: Context) -> dict[str, Any]:
    """The dataset's ``plan`` object: basic fields and settings after the file."""
    mf = ctx.mf
    base = copy.deepcopy(ctx.current.get("plan") or {})
    new = dict(base)
    if SHEET_PLAN in mf.sheets:
        for key in PLAN_FIELDS:
            if key in mf.plan:
                if mf.plan[key] in ("", None) and not base.get(key):
                    continue  # blank and not set: the export leaves it out (the same file twice is no change)
                new[key] = mf.plan[key]
    old_raw: dict[str, Any] = dict(base.get("settings") or {})
    defaults = default_settings_dict()
    other = mf.plan.get("other_settings")
    if other is not None:
        raw = {
            k: v for k, v in other.items() if k not in GOVERNED_SETTINGS + SHEET_SETTINGS and k != "_comment"
        }
        ignored = sorted(set(other) & set(GOVERNED_SETTINGS + SHEET_SETTINGS))
        if ignored:
            ctx.warn(
                SHEET_PLAN,
                _item_row(ctx, "other_settings"),
                "B（値）",
                f"JSONの「{'、'.join(ignored)}」は使いません（基本設定の行・種別シート・属性シートで指定します）。",
            )
    else:
        raw = {k: v for k, v in old_raw.items() if k not in GOVERNED_SETTINGS + SHEET_SETTINGS}

    def put(key: str, value: Any) -> None:
        # stored only where it differs from the default or the plan already stored it (so the same
        # file read twice stores the same settings)
        if key in old_raw or value != defaults.get(key, PRINT_DEFAULTS.get(key)):
            raw[key] = value

    for key in GOVERNED_SETTINGS:
        value = mf.plan.get(key)
        if value == NOT_SET:
            continue  # 「なし」: the print setting is not used
        if value not in (None, []):
            put(key, value)
        elif key in old_raw:
            raw[key] = old_raw[key]
    kinds = _kinds(ctx)
    if kinds is not None:
        put("measure_kinds", kinds)
    elif "measure_kinds" in old_raw:
        raw["measure_kinds"] = old_raw["measure_kinds"]
    attributes = _attributes(
        ctx, kinds if kinds is not None else raw.get("measure_kinds", defaults["measure_kinds"])
    )
    if attributes is None and "measure_attributes" in old_raw:
        attributes = list(old_raw["measure_attributes"])
    added = _custom_attributes(ctx, attributes if attributes is not None else defaults["measure_attributes"])
    if added:
        attributes = (attributes if attributes is not None else list(defaults["measure_attributes"])) + added
    if attributes is not None:
        put("measure_attributes", attributes)
    try:
        ctx.settings = PlanSettings.from_dict(raw)
        PrintOptions.of(
            ctx.settings
        )  # the printed form's settings (print_labels …) are checked now, not when printing
    except (SettingsError, PrintError, KeyError, TypeError, ValueError) as exc:
        ctx.error(
            SHEET_PLAN, _item_row(ctx, "other_settings"), "B（値）", f"計画の設定が正しくありません：{exc}"
        )
        ctx.settings = PlanSettings.from_dict({})
    new["settings"] = raw
    _check_plan(ctx, new, base)
    ctx.current_fy = new.get("current_fy")
    outcome = ADDED if ctx.is_new else (UNCHANGED if new == base else CHANGED)
    ctx.changes.add("基本設定", outcome)
    return new


def _check_plan(ctx: Context, new: dict[str, Any], base: dict[str, Any]) -> None:
    start, end, current = new.get("period_start_fy"), new.get("period_end_fy"), new.get("current_fy")
    if start is not None and end is not None and start > end:
        ctx.error(
            SHEET_PLAN, _item_row(ctx, "period_end_fy"), "B（値）", "計画期間の終了年度が開始年度より前です。"
        )
    if current is not None and start is not None and end is not None and not start <= current <= end:
        ctx.warn(
            SHEET_PLAN,
            _item_row(ctx, "current_fy"),
            "B（値）",
            f"調査年度（{fy_label(current)}）が計画期間の外にあります。",
        )
    old = base.get("current_fy")
    if old is not None and current is not None and old != current:
        ctx.warn(
            SHEET_PLAN,
            _item_row(ctx, "current_fy"),
            "B（値）",
            f"調査年度を{fy_label(old)}から{fy_label(current)}に変えます。各課には新しい年度の配布ファイルを作成してください。",
        )
    if ctx.is_new and SHEET_PLAN not in ctx.mf.sheets:
        ctx.error(
            SHEET_PLAN,
            None,
            "",
            "基本設定シートがありません。計画を初めて読み込むときは基本設定シートが必要です。",
        )


def _kinds(ctx: Context) -> dict[str, str] | None:
    mf = ctx.mf
    if SHEET_KINDS not in mf.sheets:
        return None
    kinds: dict[str, str] = {}
    for rec in mf.records.get(SHEET_KINDS, []):
        key, label = rec.values["key"], rec.values["label"]
        if key in kinds:
            ctx.error(SHEET_KINDS, rec.row, rec.where("key"), f"種別コード「{key}」が重複しています。")
            continue
        if label in kinds.values():
            ctx.error(SHEET_KINDS, rec.row, rec.where("label"), f"種別名「{label}」が重複しています。")
            continue
        kinds[key] = label
    if not kinds:
        ctx.error(
            SHEET_KINDS,
            None,
            "",
            "種別が1行もありません。少なくとも1つ（例：measure／施策）を入力してください。",
        )
        return None
    return kinds


def _custom_attributes(ctx: Context, known: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Columns of the 施策 sheet that are neither the template's nor a known attribute become the plan's
    own attributes (a 注意 each): a plan list keeps every column it has."""
    labels = {a["label"] for a in known} | {a["key"] for a in known}
    keys = {a["key"] for a in known}
    out: list[dict[str, Any]] = []
    for header, where in ctx.mf.attribute_columns.items():
        if header in labels:
            continue
        key = header
        n = 2
        while key in keys:
            key, n = f"{header}_{n}", n + 1
        keys.add(key)
        labels.add(header)
        out.append({"key": key, "label": header})
        ctx.warn(
            SHEET_MEASURES,
            1,
            where,
            f"列「{header[:30]}」を施策の属性（計画独自の項目）として読み込みます。属性シートにも追加されます。",
        )
    return out


def _attributes(ctx: Context, kinds: dict[str, str]) -> list[dict[str, Any]] | None:
    mf = ctx.mf
    if SHEET_ATTRIBUTES not in mf.sheets:
        return None
    out: list[dict[str, Any]] = []
    keys: set[str] = set()
    labels: set[str] = set()
    by_label = {label: key for key, label in kinds.items()}
    for rec in mf.records.get(SHEET_ATTRIBUTES, []):
        key, label = rec.values["key"], rec.values["label"]
        if key in keys:
            ctx.error(SHEET_ATTRIBUTES, rec.row, rec.where("key"), f"属性コード「{key}」が重複しています。")
            continue
        if label in labels:
            ctx.error(SHEET_ATTRIBUTES, rec.row, rec.where("label"), f"属性名「{label}」が重複しています。")
            continue
        keys.add(key)
        labels.add(label)
        item: dict[str, Any] = {"key": key, "label": label}
        wanted = []
        for k in rec.values.get("kinds", []):
            code = k if k in kinds else by_label.get(k)
            if code is None:
                ctx.error(
                    SHEET_ATTRIBUTES, rec.row, rec.where("kinds"), f"種別「{k}」が種別の一覧にありません。"
                )
            else:
                wanted.append(code)
        if wanted:
            item["kinds"] = wanted
        out.append(item)
    return out


# --- organisation -----------------------------------------------------------------------------------


def _org_row(rec: Record, with_bureau: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"code": rec.values["code"], "name": rec.values["name"]}
    if with_bureau and rec.values.get("bureau"):
        d["bureau"] = rec.values["bureau"]
    for key in ("valid_from_fy", "valid_to_fy"):
        if rec.values.get(key) is not None:
            d[key] = rec.values[key]
    return d


def org_part(ctx: Context, key: str, sheet: str) -> list[dict[str, Any]]:
    """``bureaus`` or ``sections``: the file's rows (matched by code and start year), then the
    database's rows the file does not list."""
    existing: list[dict[str, Any]] = list(ctx.current.get(key) or [])
    if sheet not in ctx.mf.sheets:
        return existing
    with_bureau = key == "sections"
    by_key = {(d["code"], d.get("valid_from_fy")): d for d in existing}
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int | None], int] = {}
    periods: dict[str, list[tuple[int, int, int]]] = {}
    for rec in ctx.mf.records.get(sheet, []):
        d = _org_row(rec, with_bureau)
        ident = (d["code"], d.get("valid_from_fy"))
        if ident in seen:
            ctx.error(
                sheet,
                rec.row,
                rec.where("code"),
                f"コード「{d['code']}」が{seen[ident]}行目と重複しています。",
            )
            continue
        start, end = d.get("valid_from_fy") or 0, d.get("valid_to_fy") or 9999
        if start > end:
            ctx.error(sheet, rec.row, rec.where("valid_to_fy"), "有効終了年度が有効開始年度より前です。")
            continue
        for s, e, other_row in periods.get(d["code"], []):
            if start <= e and s <= end:
                ctx.error(
                    sheet,
                    rec.row,
                    rec.where("valid_from_fy"),
                    f"コード「{d['code']}」の有効期間が{other_row}行目と重なっています。組織改正のときは前の行に有効終了年度を入れてください。",
                )
                break
        periods.setdefault(d["code"], []).append((start, end, rec.row))
        seen[ident] = rec.row
        old = by_key.get(ident)
        ctx.changes.add(sheet, ADDED if old is None else (UNCHANGED if old == d else CHANGED))
        rows.append(d)
    rows += [d for d in existing if (d["code"], d.get("valid_from_fy")) not in seen]
    return rows


def check_bureaus(ctx: Context, sections: list[dict[str, Any]], bureaus: list[dict[str, Any]]) -> None:
    codes = {b["code"] for b in bureaus}
    for rec in ctx.mf.records.get(SHEET_SECTIONS, []):
        b = rec.values.get("bureau")
        if b and b not in codes:
            ctx.error(
                SHEET_SECTIONS, rec.row, rec.where("bureau"), f"部局コード「{b}」が部局シートにありません。"
            )


# --- plan tree ------------------------------------------------------------------------------------------


def _walk(
    tree: list[dict[str, Any]], parent: str | None = None, depth: int = 0
) -> Iterator[tuple[dict[str, Any], str | None, int]]:
    for n in tree:
        yield n, parent, depth
        yield from _walk(n.get("children", []), n["code"], depth + 1)


def tree_part(ctx: Context) -> list[dict[str, Any]]:
    """The plan tree after the file: the sheet, when present, is the whole tree."""
    current = ctx.current.get("tree") or []
    old = {n["code"]: (n, parent, depth) for n, parent, depth in _walk(current)}
    if SHEET_TREE not in ctx.mf.sheets:
        ctx.node_codes = set(old)
        return current
    records = ctx.mf.records.get(SHEET_TREE, [])
    nodes: dict[str, dict[str, Any]] = {}
    parents: dict[str, str | None] = {}
    rows: dict[str, Record] = {}
    for rec in records:
        code = rec.values["code"]
        if code in nodes:
            ctx.error(
                SHEET_TREE,
                rec.row,
                rec.where("code"),
                f"体系コード「{code}」が{rows[code].row}行目と重複しています。",
            )
            continue
        base = old.get(code, ({}, None, 0))[0]
        node: dict[str, Any] = {"code": code, "name": rec.values["name"]}
        description = (
            rec.values["description"] if "description" in rec.values else base.get("description", "")
        )
        if description:
            node["description"] = description
        if base.get("attributes"):
            node["attributes"] = copy.deepcopy(base["attributes"])
        node["children"] = []
        nodes[code] = node
        parents[code] = rec.values.get("parent") or None
        rows[code] = rec
    roots: list[dict[str, Any]] = []
    for code, node in nodes.items():
        parent = parents[code]
        rec = rows[code]
        if parent is None:
            roots.append(node)
        elif parent == code:
            ctx.error(
                SHEET_TREE, rec.row, rec.where("parent"), "上位コードに自分自身のコードは指定できません。"
            )
        elif parent not in nodes:
            ctx.error(
                SHEET_TREE,
                rec.row,
                rec.where("parent"),
                f"上位コード「{parent}」が計画体系シートにありません。",
            )
        else:
            nodes[parent]["children"].append(node)
    reached = {n["code"]: depth for n, _p, depth in _walk(roots)}
    for code, rec in rows.items():
        if code not in reached and parents[code] in nodes and parents[code] != code:
            ctx.error(
                SHEET_TREE,
                rec.row,
                rec.where("parent"),
                "上位コードをたどると元の行に戻ります（親子関係が循環しています）。",
            )
    for code, depth in reached.items():
        rec = rows[code]
        level = rec.values.get("level")
        expected = ctx.settings.level_name(depth)
        if level and level != expected:
            ctx.error(
                SHEET_TREE,
                rec.row,
                rec.where("level"),
                f"階層「{level}」が上位コードから決まる階層「{expected}」と一致しません。上位コードか階層を直してください。",
            )
        before = old.get(code)
        if before is None:
            ctx.changes.add("計画体系", ADDED)
        else:
            n, parent, _d = before
            same = (
                n.get("name") == nodes[code]["name"]
                and n.get("description", "") == nodes[code].get("description", "")
                and parent == parents[code]
            )
            ctx.changes.add("計画体系", UNCHANGED if same else CHANGED)
    removed = set(old) - set(nodes)
    if removed:
        ctx.changes.add("計画体系", REMOVED, len(removed))
    ctx.node_codes = set(nodes)
    return _strip_empty_children(roots)


def _strip_empty_children(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for n in tree:
        if n["children"]:
            _strip_empty_children(n["children"])
        else:
            del n["children"]
    return tree
