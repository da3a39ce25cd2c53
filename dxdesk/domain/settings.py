"""Plan settings: what a plan chooses (tree level names, evaluation scheme, option lists, sheet parts,
text fields and their limits, perspective descriptors, audit checks switched off).

Defaults live in ``resources/plan_settings_default.json``; a plan stores only the keys it changes and
:meth:`PlanSettings.from_dict` merges them over the defaults. Unknown keys are kept (a newer central
office may send settings an older section application does not know) and written back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from dxdesk.domain.enums import EvaluationScheme
from dxdesk.errors import DxdeskError
from dxdesk.paths import resource

__all__ = [
    "ENTERED_IN",
    "KNOWN_TEXT_FIELDS",
    "SHEET_PARTS",
    "DirectionOption",
    "PerspectiveSpec",
    "PlanSettings",
    "SettingsError",
    "TextFieldSpec",
    "default_settings_dict",
]


class SettingsError(DxdeskError, ValueError):
    """Invalid plan settings; the message is Japanese and names the setting."""


# Parts a sheet can have, in printing order, with the heading users see.
SHEET_PARTS: dict[str, str] = {
    "basic": "基本情報",
    "overview": "事業の概要",
    "costs": "事業費",
    "citizen": "市民参加の取組状況",
    "indicators": "指標",
    "schedule": "スケジュール",
    "roadmap": "ロードマップ",
    "roadmap_status": "実施年度・進捗状況",
    "results": "事業の成果と課題",
    "goals": "目標（総括）・事業総括",
    "verification": "実績の検証及び解決すべき課題／方向性",
    "evaluation": "自己評価",
    "perspectives": "観点別評価",
    "direction": "方向性",
    "review": "見直し",
    "legend": "凡例",
    # parts of single formats (dxdesk/report/roadmap_grid.py, cost_breakdown.py)
    "situation": "現状と目指す姿",
    "initiatives": "主な取組とロードマップ",
    "cost_lines": "経費",
    "cost_breakdown": "事業費内訳",
    "progress": "進捗評価",
}

# Parts of single formats print what the clerk enters in the section application's tabs of other
# parts: those tabs are shown wherever the part is on the sheet (``PlanSettings.entry_parts``).
ENTERED_IN: dict[str, tuple[str, ...]] = {
    "situation": ("results",),  # the texts as_is / gap / to_be
    "initiatives": ("indicators", "roadmap"),  # the KPIs, and the roadmap_n texts of each year
    "cost_lines": ("costs",),
    "cost_breakdown": ("costs",),  # its texts cost_content / funding_note are in the 事業費 tab
    "progress": ("evaluation",),
}

# Every free-text field of a yearly sheet a plan may use: key -> (default label, part).
KNOWN_TEXT_FIELDS: dict[str, tuple[str, str]] = {
    "prev_issue_response": ("前年度の課題への対応", "results"),
    "result": ("取組結果", "results"),
    "outcome": ("成果", "results"),
    "issue_business": ("課題（業務）", "results"),
    "issue_org": ("課題（組織・予算等）", "results"),
    "improvement_goal": ("改善目標", "results"),
    "progress_note": ("進捗状況・評価", "results"),
    "as_is": ("現状（As-Is）", "results"),
    "gap": ("課題（Gap）", "results"),
    "to_be": ("目指す姿（To-Be）", "results"),
    "citizen_share": ("共有・理解", "citizen"),
    "citizen_plan": ("企画・立案・計画", "citizen"),
    "citizen_execute": ("実行", "citizen"),
    "citizen_evaluate": ("評価・検証", "citizen"),
    "review_content": ("見直した内容", "review"),
    "review_viewpoints": ("事業構築の視点", "review"),
    "review_direction": ("見直しの方向", "review"),
    "roadmap": ("取組予定（ロードマップ）", "roadmap"),
    "goal_summary": ("目標（総括）", "goals"),
    "project_summary": ("事業総括", "goals"),
    "verification": ("実績の検証及び解決すべき課題", "verification"),
    "solution": ("課題解決に向けた方向性", "verification"),
    # the 事業費内訳's texts (Akita-style); a plan declares roadmap_1, roadmap_2, … for the roadmap
    # cells of its n-th 主な取組 (Shizuoka 様式①, dxdesk/report/roadmap_grid.py)
    "cost_content": ("主な内容", "costs"),
    "funding_note": ("特定財源の内訳", "costs"),
}


@dataclass(frozen=True)
class TextFieldSpec:
    key: str
    label: str
    part: str
    limit: int | None = None
    required: bool = False


@dataclass(frozen=True)
class DirectionOption:
    key: str
    reason_required: bool = True

    @property
    def label(self) -> str:
        return self.key


@dataclass(frozen=True)
class PerspectiveSpec:
    key: str
    label: str
    descriptors: Mapping[int, str]

    def descriptor(self, score: int | None) -> str:
        return self.descriptors.get(score, "") if score is not None else ""


@cache
def _defaults_text() -> str:
    return resource("plan_settings_default.json").read_text(encoding="utf-8")


def default_settings_dict() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_defaults_text())
    data.pop("_comment", None)
    return data


def _decimal(raw: Any, name: str) -> Decimal:
    try:
        d = Decimal(str(raw))
    except InvalidOperation as exc:
        raise SettingsError(f"設定「{name}」は数値で指定してください。") from exc
    if not d.is_finite():
        raise SettingsError(f"設定「{name}」は数値で指定してください。")
    return d


def _funding_breakdown(value: object) -> str:
    if value not in ("full", "general_only"):
        raise SettingsError(f"財源内訳の記録方法「{value}」は使えません（full または general_only）。")
    return str(value)


@dataclass(frozen=True)
class PlanSettings:
    level_names: tuple[str, ...]
    evaluation_scheme: EvaluationScheme
    stages_enabled: bool
    grade_tolerance_percent: Decimal
    yearly_targets: bool
    display_years: int
    cost_unit: str
    low_execution_rate_percent: Decimal
    stable_years: int
    stable_variation_percent: Decimal
    charts: bool
    sheet_title: str
    sheet_parts: tuple[str, ...]
    parts_by_kind: Mapping[str, tuple[str, ...]]
    text_fields: tuple[TextFieldSpec, ...]
    direction_options: tuple[DirectionOption, ...]
    perspectives: tuple[PerspectiveSpec, ...]
    measure_attributes: tuple[tuple[str, str], ...]
    measure_kinds: Mapping[str, str]
    audit_checks: Mapping[str, bool]
    section_editable_fields: tuple[str, ...] = ()
    # 財源内訳: "full" (国庫・県・地方債・その他・一般財源) or "general_only" (only うち一般財源 is recorded)
    funding_breakdown: str = "full"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def default(cls) -> PlanSettings:
        return cls.from_dict({})

    @classmethod
    def from_json(cls, text: str | None) -> PlanSettings:
        if not text:
            return cls.default()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SettingsError("計画の設定が壊れています（JSONとして読めません）。") from exc
        if not isinstance(data, dict):
            raise SettingsError("計画の設定が壊れています。")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, overrides: Mapping[str, Any]) -> PlanSettings:
        d = default_settings_dict()
        d.update({k: v for k, v in overrides.items() if k != "_comment"})
        try:
            scheme = EvaluationScheme(d["evaluation_scheme"])
        except ValueError as exc:
            raise SettingsError(f"評価方式「{d['evaluation_scheme']}」は使えません。") from exc
        parts = tuple(d["sheet_parts"])
        unknown = [p for p in parts if p not in SHEET_PARTS]
        if unknown:
            raise SettingsError(f"シートの構成に不明な項目があります：{', '.join(unknown)}")
        parts_by_kind = {str(k): tuple(v) for k, v in (d.get("parts_by_kind") or {}).items()}
        for kind, kind_parts in parts_by_kind.items():
            bad = [p for p in kind_parts if p not in SHEET_PARTS]
            if bad:
                raise SettingsError(f"種別「{kind}」のシート構成に不明な項目があります：{', '.join(bad)}")
        text_fields = []
        for tf in d["text_fields"]:
            key = tf["key"]
            default_label, default_part = KNOWN_TEXT_FIELDS.get(key, (key, "results"))
            limit = tf.get("limit")
            if limit is not None and (not isinstance(limit, int) or limit <= 0):
                raise SettingsError(f"「{tf.get('label', key)}」の文字数上限は正の整数で指定してください。")
            text_fields.append(
                TextFieldSpec(
                    key=key,
                    label=tf.get("label", default_label),
                    part=tf.get("part", default_part),
                    limit=limit,
                    required=bool(tf.get("required", False)),
                )
            )
        perspectives = tuple(
            PerspectiveSpec(
                key=p["key"],
                label=p["label"],
                descriptors={int(k): v for k, v in p.get("descriptors", {}).items()},
            )
            for p in d["perspectives"]
        )
        return cls(
            level_names=tuple(d["level_names"]),
            evaluation_scheme=scheme,
            stages_enabled=bool(d["stages_enabled"]),
            grade_tolerance_percent=_decimal(d["grade_tolerance_percent"], "grade_tolerance_percent"),
            yearly_targets=bool(d["yearly_targets"]),
            display_years=int(d["display_years"]),
            cost_unit=str(d["cost_unit"]),
            low_execution_rate_percent=_decimal(
                d["low_execution_rate_percent"], "low_execution_rate_percent"
            ),
            stable_years=int(d["stable_years"]),
            stable_variation_percent=_decimal(d["stable_variation_percent"], "stable_variation_percent"),
            charts=bool(d["charts"]),
            sheet_title=str(d["sheet_title"]),
            sheet_parts=parts,
            parts_by_kind=parts_by_kind,
            text_fields=tuple(text_fields),
            direction_options=tuple(
                DirectionOption(o["key"], bool(o.get("reason_required", True)))
                for o in d["direction_options"]
            ),
            perspectives=perspectives,
            funding_breakdown=_funding_breakdown(d.get("funding_breakdown", "full")),
            measure_attributes=tuple((a["key"], a["label"]) for a in d["measure_attributes"]),
            measure_kinds=dict(d["measure_kinds"]),
            audit_checks={str(k): bool(v) for k, v in d["audit_checks"].items()},
            section_editable_fields=tuple(str(f) for f in d.get("section_editable_fields") or ()),
            raw={k: v for k, v in overrides.items() if k != "_comment"},
        )

    # --- queries ------------------------------------------------------------------------------
    def parts_for(self, kind: str | None = None) -> tuple[str, ...]:
        """The sheet parts of a measure of ``kind`` (a plan may lay out each kind differently)."""
        if kind is not None and kind in self.parts_by_kind:
            return self.parts_by_kind[kind]
        return self.sheet_parts

    def entry_parts(self, kind: str | None = None) -> tuple[str, ...]:
        """The parts whose data a measure of ``kind`` has entered: its sheet parts and the parts
        whose tabs enter what they print (:data:`ENTERED_IN`)."""
        parts = self.parts_for(kind)
        extra = [p for part in parts for p in ENTERED_IN.get(part, ()) if p not in parts]
        return (*parts, *dict.fromkeys(extra))

    def uses(self, part: str, kind: str | None = None) -> bool:
        """Whether measures of ``kind`` have the part's data (printed by it or by a part that prints
        it, e.g. Akita's 進捗評価 the 自己評価's grade): its checks and entry apply."""
        return part in self.entry_parts(kind)

    def level_name(self, depth: int) -> str:
        if depth < len(self.level_names):
            return self.level_names[depth]
        return f"第{depth + 1}階層"

    def text_field(self, key: str) -> TextFieldSpec | None:
        return next((f for f in self.text_fields if f.key == key), None)

    def direction_option(self, key: str | None) -> DirectionOption | None:
        return next((o for o in self.direction_options if o.key == key), None)

    def perspective(self, key: str) -> PerspectiveSpec | None:
        return next((p for p in self.perspectives if p.key == key), None)

    def section_may_edit(self, field: str) -> bool:
        """Whether sections may edit a measure's basic field (purpose, summary, …) in their sheets."""
        return field in self.section_editable_fields

    def check_enabled(self, check_id: str, default: bool = True) -> bool:
        return self.audit_checks.get(check_id, default)

    def to_json(self) -> str:
        """Only the overrides, as stored in the plan row."""
        return json.dumps(dict(self.raw), ensure_ascii=False, sort_keys=True)
