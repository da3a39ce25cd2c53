"""Plan datasets: a whole plan (organisation, tree, measures, indicators, yearly sheets, costs) as JSON.

The demo data (``resources/demo/demo_city.json``) is a dataset, and the same format can carry a
section's part of a plan inside a kit. Format ``dxdesk/dataset/1`` is documented in
docs/dataset-format.md. Import is an upsert by codes (plan, node, measure, indicator code or position),
validates every value with the same normalisation a person's typing goes through, and reports problems
as :class:`DatasetError` naming the place (``measures[3].indicators[0].values.2021.actual``).
Export writes the inverse, so ``export(import(d))`` reproduces ``d`` in normal form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dxdesk.domain.enums import Direction, EntryStatus, Grade, IndicatorKind, MilestoneStatus, Stage
from dxdesk.domain.fields import COST_NUMBER_FIELDS
from dxdesk.domain.settings import KNOWN_TEXT_FIELDS, PlanSettings, SettingsError
from dxdesk.domain.values import (
    MAX_INPUT_CHARS,
    Value,
    ValueInputError,
    ValueType,
    normalize_number,
    normalize_value,
)
from dxdesk.errors import DxdeskError
from dxdesk.store import models as orm
from dxdesk.store.models import Bureau, Measure, Plan, PlanNode, Section
from dxdesk.store.snapshot import measure_load_options

FORMAT = "dxdesk/dataset/1"

__all__ = [
    "FORMAT",
    "DatasetError",
    "DatasetProblems",
    "check_dataset",
    "dataset_document",
    "export_dataset",
    "import_dataset",
    "load_dataset_file",
    "measure_entry",
    "measure_loads",
]


class DatasetError(DxdeskError, ValueError):
    """A dataset that cannot be imported. The message is Japanese and names the place."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}：{message}" if where else message)
        self.where = where


class DatasetProblems(DatasetError):
    """Every problem of a dataset, not only the first; ``problems`` lists them in document order."""

    def __init__(self, problems: list[DatasetError]):
        self.problems = problems
        first = problems[0]
        more = f"（ほか{len(problems) - 1}件）" if len(problems) > 1 else ""
        super().__init__(first.where, str(first).removeprefix(f"{first.where}：") + more)


def load_dataset_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(path.name, f"読み込めません（{exc}）") from exc
    if not isinstance(data, dict):
        raise DatasetError(path.name, "データセットの形式ではありません")
    return data


# --- small readers with error locations -----------------------------------------------------------


def _req(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise DatasetError(where, f"「{key}」がありません")
    return d[key]


def _int(v: Any, where: str) -> int | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise DatasetError(where, "整数ではありません")
    try:
        return int(v)
    except (TypeError, ValueError) as exc:
        raise DatasetError(where, f"整数ではありません（{v!r}）") from exc


# Texts read as an enum member, remembered: ``from_label`` depends only on the enum and the text (its
# labels and aliases are fixed), so a text read once reads the same again. Bounded: only texts that
# were read, and no more than this many.
_ENUM_READ: dict[tuple[Any, str], Any] = {}
_ENUM_READ_MAX = 512


def _enum(cls: Any, v: Any, where: str, default: Any = None) -> Any:
    if v is None or v == "":
        return default
    try:
        key = (cls, str(v))
        member = _ENUM_READ.get(key)
        if member is None:
            member = cls.from_label(key[1])
            if len(_ENUM_READ) < _ENUM_READ_MAX:
                _ENUM_READ[key] = member
    except ValueError as exc:
        raise DatasetError(where, str(exc)) from exc
    return member


# A number as dxdesk writes it (「11891」「-0.50」): ASCII digits, at most 15 before the point, no
# spaces, sign, grouping or unit. For such a text the full readers below give exactly Decimal(text)
# (tests/test_dataset_fast_readers.py holds them to that), so it is taken as it is.
_PLAIN_NUMBER = re.compile(r"-?(?:[1-9][0-9]{0,14}|0)(?:\.[0-9]+)?")


def _plain_number(raw: Any) -> Decimal | None:
    if type(raw) is str and len(raw) <= MAX_INPUT_CHARS and _PLAIN_NUMBER.fullmatch(raw):
        return Decimal(raw)
    return None


def _value(raw: Any, value_type: str, unit: str, role: str, where: str) -> str | None:
    if raw is None:  # blank, whatever the type (normalize_value's first rule)
        return None
    if value_type == "numeric" and (plain := _plain_number(raw)) is not None:
        return format(plain, "f")
    try:
        v = normalize_value(
            raw if isinstance(raw, str) else str(raw),
            value_type,
            role=role,
            unit=unit,
            decimals=None,
        )
    except ValueInputError as exc:
        raise DatasetError(where, str(exc)) from exc
    return v.to_storage()


def _number(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    if (plain := _plain_number(raw)) is not None:
        return plain
    try:
        return normalize_number(raw if isinstance(raw, (str, Decimal)) else str(raw))
    except ValueInputError as exc:
        raise DatasetError(where, str(exc)) from exc


# --- field readers: one dataset object → validated column values (shared by both import paths) ------


def measure_fields(md: Mapping[str, Any], order: int, where: str) -> dict[str, Any]:
    sdgs = md.get("sdgs", [])
    if not isinstance(sdgs, list) or not all(isinstance(g, int) and 1 <= g <= 17 for g in sdgs):
        raise DatasetError(f"{where}.sdgs", "SDGsは1〜17の番号の一覧で指定してください")
    return {
        "name": str(_req(md, "name", where)),
        "kind": str(md.get("kind", "measure")),
        "purpose": str(md.get("purpose", "")),
        "summary": str(md.get("summary", "")),
        "target_group": str(md.get("target_group", "")),
        "owner_section_code": str(_req(md, "owner", where)),
        "budget_item": str(md.get("budget_item", "")),
        "legal_basis": str(md.get("legal_basis", "")),
        "sdgs": list(sdgs),
        "start_fy": _int(md.get("start_fy"), f"{where}.start_fy"),
        "end_fy": _int(md.get("end_fy"), f"{where}.end_fy"),
        "period_label": str(md.get("period_label", "")),
        "is_leading": bool(md.get("leading", False)),
        "attributes": dict(md.get("attributes", {})),
        "sort_order": order,
    }


def indicator_fields(idd: Mapping[str, Any], position: int, w: str) -> dict[str, Any]:
    vt = idd.get("value_type", "numeric")
    try:
        value_type = ValueType(vt).value
    except ValueError as exc:
        raise DatasetError(f"{w}.value_type", f"「{vt}」は numeric か qualitative です") from exc
    unit = str(idd.get("unit", ""))
    return {
        "code": str(idd.get("code") or position + 1),
        "sort_order": position,
        "name": str(_req(idd, "name", w)),
        "unit": unit,
        "kind": _enum(IndicatorKind, idd.get("kind"), f"{w}.kind", IndicatorKind.OUTCOME).value,
        "direction": _enum(Direction, idd.get("direction"), f"{w}.direction", Direction.UP).value,
        "cumulative": bool(idd.get("cumulative", False)),
        "value_type": value_type,
        "decimals": _int(idd.get("decimals"), f"{w}.decimals"),
        "baseline": _value(idd.get("baseline"), value_type, unit, "target", f"{w}.baseline"),
        "baseline_fy": _int(idd.get("baseline_fy"), f"{w}.baseline_fy"),
        "final_target": _value(idd.get("final_target"), value_type, unit, "target", f"{w}.final_target"),
        "final_target_fy": _int(idd.get("final_target_fy"), f"{w}.final_target_fy"),
        "rationale": str(idd.get("rationale", "")),
        "note": str(idd.get("note", "")),
        "reference_only": bool(idd.get("reference_only", False)),
        "valid_from_fy": _int(idd.get("valid_from_fy"), f"{w}.valid_from_fy"),
        "valid_to_fy": _int(idd.get("valid_to_fy"), f"{w}.valid_to_fy"),
    }


def value_fields(
    fy_text: str, vd: Mapping[str, Any], ind: Mapping[str, Any], w: str
) -> tuple[int, dict[str, Any]]:
    fy = _int(fy_text, f"{w}.values")
    assert fy is not None
    wv = f"{w}.values.{fy_text}"
    vt, unit = ind["value_type"], ind["unit"]
    return fy, {
        "target": _value(vd.get("target"), vt, unit, "target", f"{wv}.target"),
        "actual": _value(vd.get("actual"), vt, unit, "actual", f"{wv}.actual"),
        "reference": _value(vd.get("reference"), "numeric", "", "target", f"{wv}.reference"),
        "note": str(vd.get("note", "")),
    }


@dataclass(frozen=True)
class YearFields:
    fiscal_year: int
    columns: dict[str, Any]
    texts: dict[str, str]
    perspectives: dict[str, int]
    milestones: list[dict[str, Any]] | None  # None: the dataset says nothing about milestones


def year_fields(fy_text: str, yd: Mapping[str, Any], where: str) -> YearFields:
    fy = _int(fy_text, where)
    assert fy is not None
    w = f"{where}.{fy_text}"
    stage = _enum(Stage, yd.get("stage"), f"{w}.stage")
    grade = _enum(Grade, yd.get("self_grade"), f"{w}.self_grade")
    perspectives: dict[str, int] = {}
    for key, score in (yd.get("perspectives") or {}).items():
        v = _int(score, f"{w}.perspectives.{key}")
        if v is None or not 1 <= v <= 5:
            raise DatasetError(f"{w}.perspectives.{key}", "観点別評価は1〜5で指定してください")
        perspectives[key] = v
    milestones = None
    if "milestones" in yd:
        milestones = []
        for i, mdd in enumerate(yd["milestones"]):
            wm = f"{w}.milestones[{i}]"
            status = _enum(MilestoneStatus, mdd.get("status"), f"{wm}.status", MilestoneStatus.NOT_STARTED)
            milestones.append(
                {
                    "sort_order": i,
                    "text": str(_req(mdd, "text", wm)),
                    "due_fy": _int(mdd.get("due_fy"), f"{wm}.due_fy"),
                    "due_month": _int(mdd.get("due_month"), f"{wm}.due_month"),
                    "status": status.value,
                }
            )
    return YearFields(
        fiscal_year=fy,
        columns={
            "stage": stage.value if stage else None,
            "section_code": yd.get("section"),
            "roadmap_mark": str(yd.get("roadmap_mark", "")),
            "self_grade": grade.value if grade else None,
            "grade_override_reason": str(yd.get("override_reason", "")),
            "direction": yd.get("direction") or None,
            "direction_reason": str(yd.get("direction_reason", "")),
            "author": str(yd.get("author", "")),
            "chief_confirmed_by": str(yd.get("chief", "")),
            "entry_status": str(yd.get("entry_status", "empty")),
        },
        texts={str(k): str(v) for k, v in (yd.get("texts") or {}).items()},
        perspectives=perspectives,
        milestones=milestones,
    )


def cost_fields(fy_text: str, cd: Mapping[str, Any], where: str) -> tuple[int, dict[str, Any]]:
    fy = _int(fy_text, f"{where}.costs")
    assert fy is not None
    w = f"{where}.costs.{fy_text}"
    cols: dict[str, Any] = {f: _number(cd.get(f), f"{w}.{f}") for f in COST_NUMBER_FIELDS}
    pts = cd.get("part_time_staff")
    cols["part_time_staff"] = None if pts is None else str(pts)
    cols["execution_note"] = str(cd.get("execution_note", ""))
    return fy, cols


def cost_item_fields(it: Mapping[str, Any], i: int, where: str) -> dict[str, Any]:
    w = f"{where}.cost_items[{i}]"
    return {
        "fiscal_year": _int(_req(it, "fy", w), f"{w}.fy") or 0,
        "category": str(it.get("category", "expense")),
        "label": str(_req(it, "label", w)),
        "budget": _number(it.get("budget"), f"{w}.budget"),
        "settlement": _number(it.get("settlement"), f"{w}.settlement"),
        "sort_order": i,
    }


# --- import ---------------------------------------------------------------------------------------


def check_dataset(session: Session, data: Mapping[str, Any]) -> list[DatasetError]:
    """Every problem of ``data`` the import would meet, in document order (empty: it imports).

    Reads each object with the same field readers as the import, so the list is the import's own
    checks, all of them."""
    problems: list[DatasetError] = []

    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except DatasetError as exc:
            problems.append(exc)
            return None

    if data.get("format") != FORMAT:
        problems.append(
            DatasetError("format", f"形式「{data.get('format')}」には対応していません（{FORMAT} が必要です）")
        )
    pd = data.get("plan")
    if not isinstance(pd, Mapping):
        problems.append(DatasetError("", "「plan」がありません"))
        return problems
    attempt(_req, pd, "code", "plan")
    attempt(_req, pd, "name", "plan")
    for key in ("period_start_fy", "period_end_fy", "current_fy"):
        attempt(_int, pd.get(key), f"plan.{key}")
    settings = PlanSettings.default()
    try:
        settings = PlanSettings.from_dict(pd.get("settings", {}) or {})
    except (SettingsError, KeyError, TypeError, ValueError) as exc:
        problems.append(DatasetError("plan.settings", str(exc)))
    for key in ("bureaus", "sections"):
        for i, od in enumerate(data.get(key, [])):
            for field_name in ("code", "name"):
                attempt(_req, od, field_name, f"{key}[{i}]")
            for field_name in ("valid_from_fy", "valid_to_fy"):
                attempt(_int, od.get(field_name), f"{key}[{i}]")
    node_codes: set[str] = set()

    def walk(items: Iterable[Mapping[str, Any]], where: str) -> None:
        for i, nd in enumerate(items):
            w = f"{where}[{i}]"
            code = attempt(_req, nd, "code", w)
            attempt(_req, nd, "name", w)
            if code is not None:
                if str(code) in node_codes:
                    problems.append(DatasetError(w, f"計画体系のコード「{code}」が重複しています"))
                node_codes.add(str(code))
            walk(nd.get("children", []), f"{w}.children")

    walk(data.get("tree", []), "tree")
    code = pd.get("code")
    plan_id = session.scalar(select(Plan.id).where(Plan.code == str(code))) if code else None
    if plan_id is not None:
        node_codes |= set(session.scalars(select(PlanNode.code).where(PlanNode.plan_id == plan_id)))
    _validate_references(session, data, settings, problems)
    for i, md in enumerate(data.get("measures", [])):
        where = f"measures[{i}]"
        attempt(_req, md, "code", where)
        attempt(measure_fields, md, i, where)
        attempt(node_for, md, {c: None for c in node_codes}, where)
        for p, idd in enumerate(md.get("indicators", [])):
            w = f"{where}.indicators[{p}]"
            fields = attempt(indicator_fields, idd, p, w)
            if fields is None:
                continue
            for fy_text, vd in (idd.get("values") or {}).items():
                attempt(value_fields, fy_text, vd, fields, w)
        for fy_text, yd in (md.get("years") or {}).items():
            attempt(year_fields, fy_text, yd, f"{where}.years")
        for fy_text, cd in (md.get("costs") or {}).items():
            attempt(cost_fields, fy_text, cd, where)
        for n, it in enumerate(md.get("cost_items") or []):
            attempt(cost_item_fields, it, n, where)
    unique: list[DatasetError] = []
    seen: set[str] = set()
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            unique.append(problem)
    return unique


def _measure_loads() -> tuple[Any, ...]:
    """Everything of a measure the import and the export read, loaded in one query per table."""
    return (*measure_load_options(), selectinload(Measure.cost_items))


def import_dataset(session: Session, data: Mapping[str, Any], *, bulk: bool = True) -> Plan:
    """Upsert a dataset into the session's database. The caller commits.

    A dataset with problems raises :class:`DatasetProblems` listing every one (:func:`check_dataset`);
    nothing is written then (the caller rolls back).
    """
    try:
        return _import_dataset(session, data, bulk=bulk)
    except DatasetError as exc:
        problems = check_dataset(session, data) or [exc]
        if str(exc) not in {str(p) for p in problems}:
            problems.append(exc)
        raise DatasetProblems(problems) from exc


def _import_dataset(session: Session, data: Mapping[str, Any], *, bulk: bool = True) -> Plan:
    """Upsert a dataset into the session's database. The caller commits.

    On SQLite, measures the plan does not have yet are inserted in bulk (``dxdesk.store.dataset_bulk``;
    ``bulk=False`` forces the ORM path); existing ones, and every measure on other databases, go through
    the ORM. Both paths read the dataset through
    the same field readers."""
    fmt = data.get("format")
    if fmt != FORMAT:
        raise DatasetError("format", f"形式「{fmt}」には対応していません（{FORMAT} が必要です）")
    pd = _req(data, "plan", "")
    code = str(_req(pd, "code", "plan"))
    plan = session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        plan = Plan(code=code, name="")
        session.add(plan)
    plan.name = str(_req(pd, "name", "plan"))
    plan.municipality = str(pd.get("municipality", ""))
    plan.period_start_fy = _int(pd.get("period_start_fy"), "plan.period_start_fy")
    plan.period_end_fy = _int(pd.get("period_end_fy"), "plan.period_end_fy")
    plan.version_label = str(pd.get("version_label", ""))
    plan.current_fy = _int(pd.get("current_fy"), "plan.current_fy")
    settings_raw = pd.get("settings", {}) or {}
    try:
        PlanSettings.from_dict(settings_raw)
    except (SettingsError, KeyError, TypeError, ValueError) as exc:
        raise DatasetError("plan.settings", str(exc)) from exc
    plan.settings_json = json.dumps(settings_raw, ensure_ascii=False, sort_keys=True)

    _validate_references(session, data, PlanSettings.from_dict(settings_raw))
    _import_org(session, data)
    session.flush()
    nodes = _import_tree(session, plan, data.get("tree", []))
    session.flush()
    # The plan's measures are loaded in one go and flushed once at the end: a flush per measure
    # (autoflush before each lookup) made a 6,000-measure import take minutes.
    existing = {
        m.code: m
        for m in session.scalars(select(Measure).where(Measure.plan_id == plan.id).options(*_measure_loads()))
    }
    items = list(data.get("measures", []))
    codes = [str(md.get("code")) for md in items]
    unique = len(set(codes)) == len(codes)  # a repeated code updates the first: the ORM path handles it
    # the bulk path is for SQLite (it hands out row ids itself, safe under SQLite's one-writer lock)
    bulk = bulk and unique and session.get_bind().dialect.name == "sqlite"
    fresh = [(i, md) for i, md in enumerate(items) if codes[i] not in existing] if bulk else []
    fresh_idx = {i for i, _ in fresh}
    with session.no_autoflush:
        for i, md in enumerate(items):
            if i not in fresh_idx:
                _import_measure(session, plan, nodes, md, i, f"measures[{i}]", existing)
    session.flush()
    if fresh:
        from dxdesk.store.dataset_bulk import insert_new_measures  # here: dataset_bulk imports this module

        insert_new_measures(session, plan, {c: n.id for c, n in nodes.items()}, fresh)
    return plan


def _validate_references(
    session: Session,
    data: Mapping[str, Any],
    settings: PlanSettings,
    problems: list[DatasetError] | None = None,
) -> None:
    """Codes and keys that must name something that exists: sections, text fields, options. With
    ``problems``, every one is appended there; without, the first is raised."""

    def fail(error: DatasetError) -> None:
        if problems is None:
            raise error
        problems.append(error)

    sections = {str(s.get("code")) for s in data.get("sections", [])}
    sections |= set(session.scalars(select(Section.code)))
    text_keys = set(KNOWN_TEXT_FIELDS) | {f.key for f in settings.text_fields}
    directions = {o.key for o in settings.direction_options}
    statuses = {s.value for s in EntryStatus}
    kinds = set(settings.measure_kinds)
    attributes = {key for key, _label in settings.measure_attributes}
    for i, md in enumerate(data.get("measures", [])):
        where = f"measures[{i}]"
        for key, code in [("owner", md.get("owner"))] + [("related", c) for c in md.get("related", [])]:
            if code not in (None, "") and str(code) not in sections:
                fail(DatasetError(f"{where}.{key}", f"課所室コード「{code}」が課所室一覧にありません"))
        kind = md.get("kind", "measure")
        if kind not in kinds:
            fail(DatasetError(f"{where}.kind", f"種別「{kind}」が計画の設定（measure_kinds）にありません"))
        unknown_attrs = sorted(set(md.get("attributes", {})) - attributes)
        if unknown_attrs:
            fail(
                DatasetError(
                    f"{where}.attributes",
                    f"計画の設定（measure_attributes）にない項目です：{'、'.join(unknown_attrs)}",
                )
            )
        for fy_text, yd in (md.get("years") or {}).items():
            w = f"{where}.years.{fy_text}"
            code = yd.get("section")
            if code not in (None, "") and str(code) not in sections:
                fail(DatasetError(f"{w}.section", f"課所室コード「{code}」が課所室一覧にありません"))
            bad = sorted(set(yd.get("texts") or {}) - text_keys)
            if bad:
                fail(DatasetError(f"{w}.texts", f"不明な記述項目です：{'、'.join(bad)}"))
            direction = yd.get("direction")
            if direction not in (None, "") and direction not in directions:
                fail(DatasetError(f"{w}.direction", f"方向性「{direction}」が計画の選択肢にありません"))
            status = yd.get("entry_status")
            if status not in (None, "") and status not in statuses:
                fail(DatasetError(f"{w}.entry_status", f"入力状況「{status}」は使えません"))


def _import_org(session: Session, data: Mapping[str, Any]) -> None:
    models: tuple[tuple[Any, str], ...] = ((Bureau, "bureaus"), (Section, "sections"))
    for cls, key in models:
        rows: dict[tuple[str, int], Any] = {
            (r.code, r.valid_from_fy): r for r in session.scalars(select(cls))
        }
        for i, od in enumerate(data.get(key, [])):
            where = f"{key}[{i}]"
            code = str(_req(od, "code", where))
            valid_from = _int(od.get("valid_from_fy"), where) or 1926
            row: Any = rows.get((code, valid_from))
            if row is None:
                row = cls(code=code, valid_from_fy=valid_from)
                session.add(row)
                rows[(code, valid_from)] = row
            row.name = str(_req(od, "name", where))
            row.valid_to_fy = _int(od.get("valid_to_fy"), where)
            row.sort_order = i
            if isinstance(row, Section):
                row.bureau_code = od.get("bureau")


def _import_tree(session: Session, plan: Plan, tree: Iterable[Mapping[str, Any]]) -> dict[str, PlanNode]:
    existing = {n.code: n for n in session.scalars(select(PlanNode).where(PlanNode.plan_id == plan.id))}
    seen: dict[str, PlanNode] = {}

    def walk(items: Iterable[Mapping[str, Any]], parent: PlanNode | None, depth: int, where: str) -> None:
        for i, nd in enumerate(items):
            w = f"{where}[{i}]"
            code = str(_req(nd, "code", w))
            if code in seen:
                raise DatasetError(w, f"計画体系のコード「{code}」が重複しています")
            node = existing.get(code)
            if node is None:
                node = PlanNode(plan=plan, code=code, name="")
                session.add(node)
            node.name = str(_req(nd, "name", w))
            node.description = str(nd.get("description", ""))
            node.attributes = dict(nd.get("attributes", {}))
            node.parent = parent
            node.depth = depth
            node.sort_order = i
            seen[code] = node
            walk(nd.get("children", []), node, depth + 1, f"{w}.children")

    with session.no_autoflush:
        walk(tree, None, 0, "tree")
    return seen


def node_for(md: Mapping[str, Any], nodes: Mapping[str, Any], where: str) -> Any:
    """The node a measure hangs under (``None`` when the dataset names none)."""
    node_code = md.get("node")
    if node_code is None:
        return None
    if node_code not in nodes:
        raise DatasetError(f"{where}.node", f"計画体系に「{node_code}」がありません")
    return nodes[node_code]


def _import_measure(
    session: Session,
    plan: Plan,
    nodes: dict[str, PlanNode],
    md: Mapping[str, Any],
    order: int,
    where: str,
    existing: dict[str, Measure],
) -> None:
    code = str(_req(md, "code", where))
    m = existing.get(code)
    if m is None:
        m = Measure(plan=plan, code=code, name="", owner_section_code="")
        session.add(m)
        existing[code] = m
    fields = measure_fields(md, order, where)
    node = node_for(md, nodes, where)
    if node is not None:
        m.node = node
    for k, v in fields.items():
        setattr(m, k, v)

    related = [str(c) for c in md.get("related", [])]
    by_code = {r.section_code: r for r in m.related_sections}
    m.related_sections = [
        by_code.get(c) or orm.MeasureSection(section_code=c, role="related") for c in related
    ]
    for i, r in enumerate(m.related_sections):
        r.sort_order = i

    _import_indicators(m, md.get("indicators", []), f"{where}.indicators")
    _import_years(m, md.get("years", {}), f"{where}.years")
    _import_costs(m, md.get("costs", {}), md.get("cost_items", []), where)


def _import_indicators(m: Measure, items: list[Mapping[str, Any]], where: str) -> None:
    existing = {ind.code: ind for ind in m.indicators}
    result: list[orm.Indicator] = []
    for i, idd in enumerate(items):
        w = f"{where}[{i}]"
        fields = indicator_fields(idd, i, w)
        ind = existing.get(fields["code"]) or orm.Indicator(code=fields["code"], name="")
        for k, v in fields.items():
            setattr(ind, k, v)
        values = {v.fiscal_year: v for v in ind.values}
        for fy_text, vd in (idd.get("values") or {}).items():
            fy, cols = value_fields(fy_text, vd, fields, w)
            row = values.get(fy)
            if row is None:
                row = orm.IndicatorValue(fiscal_year=fy)
                ind.values.append(row)
                values[fy] = row
            for k, v in cols.items():
                setattr(row, k, v)
        result.append(ind)
    m.indicators = result


def _import_years(m: Measure, years: Mapping[str, Any], where: str) -> None:
    by_fy = {y.fiscal_year: y for y in m.years}
    for fy_text, yd in years.items():
        yf = year_fields(fy_text, yd, where)
        my = by_fy.get(yf.fiscal_year)
        if my is None:
            my = orm.MeasureYear(fiscal_year=yf.fiscal_year)
            m.years.append(my)
            by_fy[yf.fiscal_year] = my
        for k, v in yf.columns.items():
            setattr(my, k, v)
        texts = {t.field: t for t in my.texts}
        if "texts" in yd:  # the dataset's texts of a year are the whole set
            my.texts = [t for t in my.texts if t.field in yf.texts]
        for key, text in yf.texts.items():
            row = texts.get(key)
            if row is None:
                row = orm.SheetText(field=key, text="")
                my.texts.append(row)
            row.text = text
        scores = {p.perspective: p for p in my.perspective_scores}
        if "perspectives" in yd:
            my.perspective_scores = [p for p in my.perspective_scores if p.perspective in yf.perspectives]
        for key, score in yf.perspectives.items():
            row_p = scores.get(key)
            if row_p is None:
                row_p = orm.PerspectiveScore(perspective=key, score=score)
                my.perspective_scores.append(row_p)
            row_p.score = score
        if yf.milestones is not None:
            my.milestones = [orm.Milestone(**ms) for ms in yf.milestones]


def _import_costs(m: Measure, costs: Mapping[str, Any], items: list[Mapping[str, Any]], where: str) -> None:
    rows = {c.fiscal_year: c for c in m.cost_rows}
    for fy_text, cd in costs.items():
        fy, cols = cost_fields(fy_text, cd, where)
        row = rows.get(fy)
        if row is None:
            row = orm.CostRow(fiscal_year=fy)
            m.cost_rows.append(row)
            rows[fy] = row
        for k, v in cols.items():
            setattr(row, k, v)
    if items:
        m.cost_items = [orm.CostItem(**cost_item_fields(it, i, where)) for i, it in enumerate(items)]


# --- export ---------------------------------------------------------------------------------------


def _dec(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is the import default, so exports stay small and comparable."""
    return {k: v for k, v in d.items() if v not in (None, "", [], {}, False)}


def export_dataset(
    session: Session,
    plan_code: str,
    *,
    section_codes: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> dict[str, Any]:
    """The plan (optionally only some sections' measures, some fiscal years) as a dataset dict."""
    plan = session.scalar(select(Plan).where(Plan.code == plan_code))
    if plan is None:
        raise DatasetError("plan", f"計画「{plan_code}」がありません")
    wanted_sections = set(section_codes) if section_codes is not None else None
    wanted_years = set(years) if years is not None else None

    def keep_year(fy: int) -> bool:
        return wanted_years is None or fy in wanted_years

    query = select(Measure).where(Measure.plan_id == plan.id)
    if wanted_sections is not None:
        # filtered in SQL: a kit for one section must not load a whole city's plan
        related = select(orm.MeasureSection.measure_id).where(
            orm.MeasureSection.section_code.in_(wanted_sections)
        )
        query = query.where(or_(Measure.owner_section_code.in_(wanted_sections), Measure.id.in_(related)))
    measures = session.scalars(query.order_by(Measure.sort_order, Measure.id).options(*measure_loads())).all()

    entries = [measure_entry(m, keep_year) for m in measures]
    return dataset_document(session, plan, measures, entries, whole_tree=wanted_sections is None)


def measure_loads() -> tuple[Any, ...]:
    """Eager loading for :func:`measure_entry` (and :func:`~dxdesk.store.snapshot.snapshot`)."""
    return (*_measure_loads(), selectinload(Measure.node))


def dataset_document(
    session: Session,
    plan: Plan,
    measures: Sequence[Measure],
    entries: list[dict[str, Any]],
    *,
    whole_tree: bool = True,
    section_codes: set[str] | None = None,
) -> dict[str, Any]:
    """A dataset of ``plan`` holding ``entries`` (made by :func:`measure_entry` from ``measures``), the
    organisation (only ``section_codes`` when given) and the plan tree (only the branches of
    ``measures`` unless ``whole_tree``)."""
    used_nodes = None if whole_tree else _used_node_codes(session, plan, measures)
    sections = [
        s
        for s in session.scalars(select(Section).order_by(Section.sort_order, Section.id))
        if section_codes is None or s.code in section_codes
    ]
    bureaus = session.scalars(select(Bureau).order_by(Bureau.sort_order, Bureau.id)).all()
    return {
        "format": FORMAT,
        "plan": _prune(
            {
                "code": plan.code,
                "name": plan.name,
                "municipality": plan.municipality,
                "period_start_fy": plan.period_start_fy,
                "period_end_fy": plan.period_end_fy,
                "version_label": plan.version_label,
                "current_fy": plan.current_fy,
                "settings": json.loads(plan.settings_json or "{}"),
            }
        ),
        "bureaus": [
            _prune(
                {
                    "code": b.code,
                    "name": b.name,
                    "valid_from_fy": b.valid_from_fy if b.valid_from_fy != 1926 else None,
                    "valid_to_fy": b.valid_to_fy,
                }
            )
            for b in bureaus
        ],
        "sections": [
            _prune(
                {
                    "code": s.code,
                    "name": s.name,
                    "bureau": s.bureau_code,
                    "valid_from_fy": s.valid_from_fy if s.valid_from_fy != 1926 else None,
                    "valid_to_fy": s.valid_to_fy,
                }
            )
            for s in sections
        ],
        "tree": _export_tree(session, plan, used_nodes),
        "measures": entries,
    }


def measure_entry(
    m: Measure,
    keep_year: Callable[[int], bool] = lambda _fy: True,
    keep_sheet_year: Callable[[int], bool] | None = None,
) -> dict[str, Any]:
    """One measure as a dataset entry (``measures[i]``): indicator values and costs of the fiscal
    years ``keep_year`` keeps, the yearly sheets of those ``keep_sheet_year`` keeps (by default the
    same). The measure is loaded with :func:`measure_loads` (a submission builds its payload and its
    sheets from the same loaded measure)."""
    keep_sheet = keep_sheet_year or keep_year
    md: dict[str, Any] = {
        "code": m.code,
        "name": m.name,
        "node": m.node.code if m.node else None,
        "kind": m.kind if m.kind != "measure" else None,
        "purpose": m.purpose,
        "summary": m.summary,
        "target_group": m.target_group,
        "owner": m.owner_section_code,
        "related": [r.section_code for r in m.related_sections],
        "budget_item": m.budget_item,
        "legal_basis": m.legal_basis,
        "sdgs": list(m.sdgs or []),
        "start_fy": m.start_fy,
        "end_fy": m.end_fy,
        "period_label": m.period_label,
        "leading": m.is_leading,
        "attributes": dict(m.attributes or {}),
    }
    inds = []
    for i, ind in enumerate(m.indicators):
        vals = {
            str(v.fiscal_year): _prune(
                {"target": v.target, "actual": v.actual, "reference": v.reference, "note": v.note}
            )
            for v in ind.values
            if keep_year(v.fiscal_year)
        }
        inds.append(
            _prune(
                {
                    "code": ind.code if ind.code != str(i + 1) else None,
                    "name": ind.name,
                    "unit": ind.unit,
                    "kind": ind.kind,
                    "direction": ind.direction,
                    "cumulative": ind.cumulative,
                    "value_type": ind.value_type if ind.value_type != "numeric" else None,
                    "decimals": ind.decimals,
                    "baseline": ind.baseline,
                    "baseline_fy": ind.baseline_fy,
                    "final_target": ind.final_target,
                    "final_target_fy": ind.final_target_fy,
                    "rationale": ind.rationale,
                    "note": ind.note,
                    "reference_only": ind.reference_only,
                    "valid_from_fy": ind.valid_from_fy,
                    "valid_to_fy": ind.valid_to_fy,
                    "values": {k: v for k, v in vals.items() if v},
                }
            )
        )
    md["indicators"] = inds
    yrs: dict[str, Any] = {}
    for y in m.years:
        if not keep_sheet(y.fiscal_year):
            continue
        yrs[str(y.fiscal_year)] = _prune(
            {
                "stage": y.stage,
                "section": y.section_code,
                "roadmap_mark": y.roadmap_mark,
                "self_grade": y.self_grade,
                "override_reason": y.grade_override_reason,
                "direction": y.direction,
                "direction_reason": y.direction_reason,
                "author": y.author,
                "chief": y.chief_confirmed_by,
                "entry_status": y.entry_status if y.entry_status != "empty" else None,
                "texts": {t.field: t.text for t in sorted(y.texts, key=lambda t: t.field) if t.text},
                "perspectives": {
                    p.perspective: p.score for p in sorted(y.perspective_scores, key=lambda p: p.perspective)
                },
                "milestones": [
                    _prune(
                        {
                            "text": ms.text,
                            "due_fy": ms.due_fy,
                            "due_month": ms.due_month,
                            "status": ms.status if ms.status != "not_started" else None,
                        }
                    )
                    for ms in y.milestones
                ],
            }
        )
    md["years"] = yrs
    md["costs"] = {
        str(c.fiscal_year): _prune(
            {f: _dec(getattr(c, f)) for f in COST_NUMBER_FIELDS}
            | {"part_time_staff": c.part_time_staff, "execution_note": c.execution_note}
        )
        for c in m.cost_rows
        if keep_year(c.fiscal_year)
    }
    md["cost_items"] = [
        _prune(
            {
                "fy": it.fiscal_year,
                "category": it.category if it.category != "expense" else None,
                "label": it.label,
                "budget": _dec(it.budget),
                "settlement": _dec(it.settlement),
            }
        )
        for it in m.cost_items
        if keep_year(it.fiscal_year)
    ]
    return _prune(md)


def _used_node_codes(session: Session, plan: Plan, measures: Sequence[Measure]) -> set[str]:
    used: set[str] = set()
    for m in measures:
        node = m.node
        while node is not None:
            used.add(node.code)
            node = node.parent
    return used


def _export_tree(session: Session, plan: Plan, only: set[str] | None) -> list[dict[str, Any]]:
    roots = session.scalars(
        select(PlanNode)
        .where(PlanNode.plan_id == plan.id, PlanNode.parent_id.is_(None))
        .order_by(PlanNode.sort_order)
    ).all()

    def walk(n: PlanNode) -> dict[str, Any]:
        return _prune(
            {
                "code": n.code,
                "name": n.name,
                "description": n.description,
                "attributes": dict(n.attributes or {}),
                "children": [walk(c) for c in n.children if only is None or c.code in only],
            }
        )

    return [walk(r) for r in roots if only is None or r.code in only]


def value_of(stored: str | None, value_type: str) -> Value:
    """Shortcut used by snapshot builders and reports."""
    return Value.from_storage(stored, value_type)
