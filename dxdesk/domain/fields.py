"""Field paths of a yearly sheet: how the entry screens, the pre-submission check and the undo history
name one field, which part of the sheet it sits in, and how typed text for it is normalised.

A path is the text an audit :class:`~dxdesk.domain.audit.Finding` carries in ``field``, plus the fiscal
year after ``@`` for yearly cells:

    stage  self_grade  override_reason  direction  direction_reason  author  chief_confirmed_by  entry_status
    texts.result                    perspectives.needs               basic.purpose
    indicators[0].actual@2026       indicators[0].target@2026        indicators[0].note@2026
    milestones                      (the whole list: adding, removing, reordering)
    milestones[1].status            milestones[1].text  milestones[1].due_fy  milestones[1].due_month
    costs[2026].settlement          costs[2026].execution_note
    cost_items                      (the sheet year's 事業費内訳 lines: adding, removing)
    cost_items[0].label             cost_items[0].budget  cost_items[0].settlement

Findings also name places that are not single fields (``indicators``, ``indicators[0].baseline``,
``costs[2025]``, ``basic``); :func:`jump_target` turns any of them into the part of the sheet to show
and the nearest editable path to focus.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dxdesk.domain.settings import PlanSettings
from dxdesk.errors import DxdeskError

__all__ = [
    "BASIC_FIELDS",
    "COST_FIELDS",
    "COST_ITEM_FIELDS",
    "COST_NUMBER_FIELDS",
    "MAX_LONG_TEXT",
    "SHEET_FIELDS",
    "FieldError",
    "FieldPath",
    "JumpTarget",
    "jump_target",
    "normalize_month",
    "normalize_score",
    "normalize_text",
    "part_of",
    "plain_length",
    "too_long_message",
]

# Excel's limit for one cell: every text travels in a workbook cell, so nothing longer can be kept.
MAX_LONG_TEXT = 32_767
MAX_SHORT_TEXT = 100

# Sheet-level fields of ``measure_year`` a section edits, with the label users see.
SHEET_FIELDS: dict[str, str] = {
    "stage": "ライフサイクル",
    "self_grade": "自己評価",
    "override_reason": "評価を変更した理由",
    "direction": "方向性",
    "direction_reason": "方向性の理由",
    "author": "作成者",
    "chief_confirmed_by": "所属長確認",
    "entry_status": "入力状況",
}

# Measure-level fields a plan may let sections edit (``section_editable_fields``), with labels.
BASIC_FIELDS: dict[str, str] = {
    "purpose": "目的",
    "summary": "概要（取組内容）",
    "target_group": "対象",
    "budget_item": "予算科目",
    "legal_basis": "根拠法令等",
    "period_label": "事業期間",
}

# 事業費 columns of one fiscal year, in the order of the published sheets, with labels.
COST_NUMBER_FIELDS: dict[str, str] = {
    "budget": "予算額",
    "settlement": "決算額",
    "fund_general": "一般財源",
    "fund_national": "国庫支出金",
    "fund_prefecture": "県支出金",
    "fund_bonds": "地方債",
    "fund_other": "その他",
    "personnel_cost": "人件費計",
    "staff_ratio": "正職員従事割合（人）",
    "overtime_hours": "正職員時間外勤務（時間）",
}
COST_FIELDS: dict[str, str] = COST_NUMBER_FIELDS | {
    "part_time_staff": "会計年度任用職員",
    "execution_note": "執行状況の説明",
}
COST_DECIMALS: dict[str, int] = {"staff_ratio": 2, "overtime_hours": 2}

INDICATOR_CELLS = ("target", "actual", "note")
MILESTONE_FIELDS: dict[str, str] = {
    "text": "マイルストーン",
    "due_fy": "予定年度",
    "due_month": "予定月",
    "status": "状況",
}
# a line of the year's 事業費内訳 (cost_items[i].name): expense item (費目) or funding source (財源)
COST_ITEM_FIELDS: dict[str, str] = {"label": "名称", "budget": "予算額", "settlement": "決算額"}


class FieldError(DxdeskError, ValueError):
    """Typed text that cannot be stored in a field. ``str(error)`` is Japanese and says what to do."""


_IND = re.compile(r"^indicators\[(\d+)\]\.(target|actual|note)(?:@(\d{4}))?$")
_MS = re.compile(r"^milestones\[(\d+)\]\.(text|due_fy|due_month|status)$")
_COST = re.compile(r"^costs\[(\d{4})\]\.(\w+)$")
_CI = re.compile(r"^cost_items\[(\d+)\]\.(label|budget|settlement)$")
_KEYED = re.compile(r"^(texts|perspectives|basic)\.(\w+)$")


@dataclass(frozen=True)
class FieldPath:
    """A parsed path. ``kind`` is one of sheet, text, perspective, basic, indicator, milestones,
    milestone, cost, cost_items, cost_item; ``name`` the column or key; ``index`` the indicator/milestone position; ``fy`` the
    year of an indicator or cost cell."""

    kind: str
    name: str
    index: int | None = None
    fy: int | None = None

    @classmethod
    def parse(cls, path: str) -> FieldPath:
        if path in SHEET_FIELDS:
            return cls("sheet", path)
        if path == "milestones":
            return cls("milestones", "milestones")
        if path == "cost_items":
            return cls("cost_items", "cost_items")
        if m := _CI.match(path):
            return cls("cost_item", m.group(2), int(m.group(1)))
        if m := _IND.match(path):
            return cls("indicator", m.group(2), int(m.group(1)), int(m.group(3)) if m.group(3) else None)
        if m := _MS.match(path):
            return cls("milestone", m.group(2), int(m.group(1)))
        if m := _COST.match(path):
            if m.group(2) not in COST_FIELDS:
                raise FieldError(f"事業費の項目「{m.group(2)}」はありません。")
            return cls("cost", m.group(2), fy=int(m.group(1)))
        if m := _KEYED.match(path):
            kind = {"texts": "text", "perspectives": "perspective", "basic": "basic"}[m.group(1)]
            if kind == "basic" and m.group(2) not in BASIC_FIELDS:
                raise FieldError(f"基本情報の項目「{m.group(2)}」は編集できません。")
            return cls(kind, m.group(2))
        raise FieldError(f"シートに「{path}」という項目はありません。")

    def with_year(self, fy: int) -> FieldPath:
        """An indicator cell without a year means the evaluated year's cell."""
        if self.kind == "indicator" and self.fy is None:
            return FieldPath(self.kind, self.name, self.index, fy)
        return self

    def __str__(self) -> str:
        match self.kind:
            case "sheet" | "milestones" | "cost_items":
                return self.name
            case "cost_item":
                return f"cost_items[{self.index}].{self.name}"
            case "text":
                return f"texts.{self.name}"
            case "perspective":
                return f"perspectives.{self.name}"
            case "basic":
                return f"basic.{self.name}"
            case "indicator":
                year = f"@{self.fy}" if self.fy is not None else ""
                return f"indicators[{self.index}].{self.name}{year}"
            case "milestone":
                return f"milestones[{self.index}].{self.name}"
            case _:
                return f"costs[{self.fy}].{self.name}"


_SHEET_PART = {
    "stage": "evaluation",
    "self_grade": "evaluation",
    "override_reason": "evaluation",
    "direction": "direction",
    "direction_reason": "direction",
    "author": "basic",
    "chief_confirmed_by": "basic",
    "entry_status": "basic",
}


def part_of(path: FieldPath, settings: PlanSettings) -> str:
    """The sheet part (key of ``SHEET_PARTS``) that shows ``path``."""
    match path.kind:
        case "sheet":
            return _SHEET_PART[path.name]
        case "text":
            spec = settings.text_field(path.name)
            return spec.part if spec is not None else "results"
        case "perspective":
            return "perspectives"
        case "basic":
            return "basic"
        case "indicator":
            return "indicators"
        case "milestones" | "milestone":
            return "schedule"
        case _:
            return "costs"


@dataclass(frozen=True)
class JumpTarget:
    """Where the pre-submission list sends the person: a part, and a field path to focus if any
    (``row`` names an indicator or a cost year when the finding is about a whole row or column)."""

    part: str
    path: str | None = None
    indicator: int | None = None
    cost_year: int | None = None


_ROW_IND = re.compile(r"^indicators\[(\d+)\](?:\.(\w+))?$")
_COL_COST = re.compile(r"^costs\[(\d{4})\]$")


def jump_target(field: str, fy: int, settings: PlanSettings) -> JumpTarget:
    """Turn a finding's ``field`` into the part to show and the path to focus."""
    if not field or field == "basic":
        return JumpTarget("basic")
    if field == "indicators":
        return JumpTarget("indicators")
    if m := _ROW_IND.match(field):
        i = int(m.group(1))
        # baselines, final targets and whole-row findings: show the indicator's row and details
        return JumpTarget("indicators", f"indicators[{i}].actual@{fy}", indicator=i)
    if m := _COL_COST.match(field):
        year = int(m.group(1))
        return JumpTarget("costs", f"costs[{year}].settlement", cost_year=year)
    try:
        path = FieldPath.parse(field).with_year(fy)
    except FieldError:
        return JumpTarget("basic")
    return JumpTarget(
        part_of(path, settings),
        str(path),
        indicator=path.index if path.kind == "indicator" else None,
        cost_year=path.fy if path.kind == "cost" else None,
    )


# --- normalisation of typed text ---------------------------------------------------------------


def normalize_text(raw: object, *, label: str, max_chars: int = MAX_LONG_TEXT) -> str:
    """Free text as typed, with Windows line ends made plain; refuses more than ``max_chars``."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise FieldError(f"「{label}」には文字を入力してください。")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    if len(text) > max_chars:
        if max_chars == MAX_LONG_TEXT:
            raise FieldError(too_long_message(label, len(text)))
        raise FieldError(
            f"「{label}」は{max_chars:,}文字までです（入力は{len(text):,}文字）。短くまとめてください。"
        )
    return text


def plain_length(text: str) -> int:
    """Characters of ``text`` as stored (Windows line ends count as one)."""
    return len(text.replace("\r\n", "\n"))


def too_long_message(label: str, length: int) -> str:
    """The message for a text longer than an Excel cell holds (kept as typed until shortened)."""
    return (
        f"「{label}」が{MAX_LONG_TEXT:,}字を超えています（{length - MAX_LONG_TEXT:,}字超過）。"
        "短くしてください（Excelの1つのセルに入る上限です）。"
    )


def _digits(raw: object) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip() if raw is not None else ""


def normalize_score(raw: object, *, label: str) -> int | None:
    """観点別評価: 1–5 (全角 accepted), blank for not chosen."""
    s = _digits(raw)
    if s == "":
        return None
    if s.isdigit() and 1 <= int(s) <= 5:
        return int(s)
    raise FieldError(f"「{label}」は1〜5の数字で選んでください。")


def normalize_month(raw: object) -> int | None:
    s = _digits(raw).removesuffix("月")
    if s == "":
        return None
    if s.isdigit() and 1 <= int(s) <= 12:
        return int(s)
    raise FieldError("予定月は1〜12の数字で入力してください。")
