"""Editing one yearly sheet: a typed text becomes a stored value, in memory first, then in the database.

:class:`EditableSheet` holds one measure's sheet for one fiscal year, loaded once when a person opens
it (``dxdesk.store.sheet_store.load_sheet``). ``sheet.set("indicators[0].actual@2026", "１,２３４")`` normalises the text
(dxdesk.domain.values, dxdesk.domain.fields), validates it (editable year, plan limits and option
lists, the reason a changed grade needs), updates the in-memory state and returns a
:class:`FieldChange` (old → new stored text) — or raises :class:`EditError`, whose message is Japanese
and says what to type. ``dxdesk.store.sheet_store.apply_changes`` writes changes to the database; the audit trail
(dxdesk.store.audit_trail) records who changed what. Both sides put a stored text in its place through
one applier, :func:`apply_field` (memory: this class; database: the sheet store's rows).

Text that cannot be read as the field's value (「12x」 in an actual) is kept as :class:`UnreadInput`
beside the value, and is an error of the sheet's evaluation until a readable value replaces it.

Why in memory first: 達成率, the suggested grade, the checks and the sheet's status are recomputed from
the in-memory snapshot (one :func:`dxdesk.domain.evaluation.evaluate`) after every committed field without a database round trip, and the write can
run on the autosave thread (dxdesk.store.autosave), so typing never waits for the disk.

Field paths are documented in dxdesk.domain.fields.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from dxdesk.domain.audit import CostItemLine, Finding, check_by_id, check_cost_items
from dxdesk.domain.enums import EntryStatus, Grade, MilestoneStatus, Severity, Stage
from dxdesk.domain.evaluation import Evaluation, evaluate
from dxdesk.domain.fields import (
    BASIC_FIELDS,
    COST_DECIMALS,
    COST_FIELDS,
    COST_ITEM_FIELDS,
    COST_NUMBER_FIELDS,
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    MILESTONE_FIELDS,
    SHEET_FIELDS,
    FieldError,
    FieldPath,
    normalize_month,
    normalize_score,
    normalize_text,
    plain_length,
    too_long_message,
)
from dxdesk.domain.fiscal import FiscalYearError, fy_short, parse_fiscal_year
from dxdesk.domain.grading import IndicatorAssessment
from dxdesk.domain.rates import RateResult, achievement_rate
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import CostData, IndicatorData, IndicatorYear, MeasureSnapshot, MilestoneData
from dxdesk.domain.values import Value, ValueInputError, format_decimal, normalize_number, normalize_value
from dxdesk.errors import DxdeskError

__all__ = [
    "FUNDING_CHOICES",
    "BasicInfo",
    "EditError",
    "EditableSheet",
    "FieldChange",
    "FieldTarget",
    "SheetEvaluation",
    "TextCount",
    "UnreadInput",
    "apply_field",
]


class EditError(DxdeskError, ValueError):
    """An edit that cannot be made. ``str(error)`` is a Japanese message saying what to do."""


@dataclass(frozen=True)
class FieldChange:
    """One field changed from ``old`` to ``new`` (stored texts; None is blank)."""

    path: str
    old: str | None
    new: str | None
    label: str

    def inverse(self) -> FieldChange:
        return FieldChange(self.path, self.new, self.old, self.label)


@dataclass(frozen=True)
class UnreadInput:
    """Text typed into a field that could not be read as its value (「12x」 in a numeric actual).

    It is kept — on the sheet, in the database (``unread_input``) and on screen, marked red — until the
    person types something readable or empties the field; meanwhile it is an error of the
    pre-submission check, so the submission cannot be exported around it."""

    path: str  # canonical field path (with its year)
    typed: str
    reason: str  # Japanese: why it could not be read
    label: str  # the field's Japanese name

    @property
    def too_long(self) -> bool:
        """Readable text, but longer than an Excel cell holds (kept whole until shortened)."""
        return plain_length(self.typed) > MAX_LONG_TEXT

    def finding(self, measure_code: str, fiscal_year: int) -> Finding:
        if self.too_long:
            message = too_long_message(self.label, plain_length(self.typed))
            return Finding("REQ-TEXT-MAX", Severity.ERROR, message, measure_code, fiscal_year, self.path)
        message = check_by_id("REQ-UNREAD").message.format(
            label=self.label, typed=self.typed, reason=self.reason
        )
        return Finding("REQ-UNREAD", Severity.ERROR, message, measure_code, fiscal_year, self.path)


@dataclass(frozen=True)
class BasicInfo:
    """What the plan says about the measure (shown read-only in 基本情報)."""

    code: str
    name: str
    kind_label: str
    plan_path: tuple[tuple[str, str, str], ...]  # (level name, node code, node name), top first
    section_name: str
    related_section_names: tuple[str, ...]
    sdgs: tuple[int, ...]
    is_leading: bool
    attributes: tuple[tuple[str, str], ...]  # (label, value) of the plan's measure attributes
    initiatives: tuple[str, ...] = ()  # the measure's 主な取組, one per line of attribute ``initiatives``


# The sheet's evaluation is the one evaluation of the domain (dxdesk.domain.evaluation).
SheetEvaluation = Evaluation


@dataclass(frozen=True)
class TextCount:
    label: str
    length: int
    limit: int | None
    required: bool

    @property
    def over(self) -> bool:
        return self.limit is not None and self.length > self.limit

    @property
    def display(self) -> str:
        """「123 / 800文字」 or 「123文字」."""
        if self.limit is None:
            return f"{self.length:,}文字"
        return f"{self.length:,} / {self.limit:,}文字"


_PART_TIME = {
    "有": "有",
    "あり": "有",
    "有り": "有",
    "○": "有",
    "無": "無",
    "なし": "無",
    "無し": "無",
    "×": "無",
}
_CELL_LABEL = {"target": "目標", "actual": "実績", "note": "備考"}
_ROADMAP_KEY = re.compile(r"^roadmap_(\d+)$")
_NUMBERED_INITIATIVE = re.compile(r"^主な取組\s*\d+")

# 事業費内訳 by funding source: the sources the printed table knows (dxdesk.report.cost_breakdown), and
# what else a clerk may type for them
FUNDING_CHOICES = ("国庫支出金", "県支出金", "市債", "その他", "一般財源")
_FUNDING_ALIASES = {
    "国": "国庫支出金",
    "国庫": "国庫支出金",
    "国庫補助金": "国庫支出金",
    "県": "県支出金",
    "県補助金": "県支出金",
    "地方債": "市債",
}
COST_ITEM_CATEGORIES = {"expense": "費目別", "funding": "財源別"}


def _same(old: str | None, new: str | None) -> bool:
    return (old or "") == (new or "")


class EditableSheet:
    """One measure's yearly sheet in memory, edited field by field. Build with :func:`load_sheet`."""

    def __init__(
        self,
        measure_id: int,
        fiscal_year: int,
        settings: PlanSettings,
        snap: MeasureSnapshot,
        info: BasicInfo,
        basic: dict[str, str],
        stored_status: str | None,
        milestones: list[dict[str, Any]],
        unread: Iterable[UnreadInput] = (),
        cost_items: Iterable[dict[str, Any]] = (),
    ):
        self.measure_id = measure_id
        self.fy = fiscal_year
        self.settings = settings
        self.info = info
        self._snap = snap
        self._basic = basic
        self._status = stored_status
        self._milestones = milestones
        # the year's 事業費内訳 lines: {"category", "label", "budget", "settlement"} (amounts Decimal)
        self._cost_items: list[dict[str, Any]] = [dict(it) for it in cost_items]
        self._evaluation: SheetEvaluation | None = None
        self.locked: str | None = None  # why the whole sheet is read-only (a past year), else None
        self._unread: dict[str, UnreadInput] = {u.path: u for u in unread}
        self._saved_unread = dict(self._unread)  # what the database holds (see unread_changes)
        self._recent_unread: str | None = None  # kept by the last edit of the sheet: what Ctrl+Z drops

    # --- reading --------------------------------------------------------------------------------
    @property
    def snapshot(self) -> MeasureSnapshot:
        return self._snap

    @property
    def key(self) -> tuple[int, int]:
        return (self.measure_id, self.fy)

    @property
    def parts(self) -> tuple[str, ...]:
        return self.settings.entry_parts(self._snap.kind)

    @property
    def indicators(self) -> tuple[IndicatorData, ...]:
        return self._snap.indicators

    @property
    def milestones(self) -> list[dict[str, Any]]:
        return [dict(m) for m in self._milestones]

    @property
    def cost_items(self) -> list[dict[str, Any]]:
        """The year's 事業費内訳 lines, expense items and funding sources in one list (a field path
        ``cost_items[i]`` counts in this list)."""
        return [dict(it) for it in self._cost_items]

    def cost_item_rows(self, category: str) -> list[int]:
        """Positions in :attr:`cost_items` of the lines of one table (``expense`` or ``funding``)."""
        return [i for i, it in enumerate(self._cost_items) if it["category"] == category]

    def basic(self, name: str) -> str:
        return self._basic.get(name, "")

    def canonical(self, path: str) -> str:
        """The field path as stored (the sheet's year filled in): 「indicators[0].actual@2026」."""
        return str(FieldPath.parse(path).with_year(self.fy))

    @property
    def unread(self) -> dict[str, UnreadInput]:
        """Typed text that could not be read, by canonical path (kept until fixed)."""
        return dict(self._unread)

    def unread_at(self, path: str) -> UnreadInput | None:
        return self._unread.get(self.canonical(path))

    def unread_changes(self) -> list[tuple[str, UnreadInput | None, UnreadInput | None]]:
        """(path, kept now or None, kept before) for each field whose kept input changed since the last
        call: what the database must learn. Afterwards the database is taken to be up to date."""
        out = []
        for path in sorted(set(self._saved_unread) | set(self._unread)):
            now, was = self._unread.get(path), self._saved_unread.get(path)
            if now != was:
                out.append((path, now, was))
        self._saved_unread = dict(self._unread)
        return out

    def drop_recent_unread(self) -> FieldChange | None:
        """Ctrl+Z right after text was kept unread (「12x」, 「13月」, a too long text): forget that text, so
        the field shows its stored value again. None when the last edit kept nothing (undo goes on to
        the history). The returned change names the field (for the status line and the cursor)."""
        path, self._recent_unread = self._recent_unread, None
        kept = self._unread.pop(path, None) if path is not None else None
        if kept is None:
            return None
        self._evaluation = None
        return FieldChange(kept.path, kept.typed, self._get(FieldPath.parse(kept.path)), kept.label)

    def get(self, path: str) -> str | None:
        """The stored text of a field (None for blank)."""
        return self._get(FieldPath.parse(path).with_year(self.fy))

    def _get(self, p: FieldPath) -> str | None:
        sheet = self._snap.sheet
        match p.kind:
            case "sheet":
                if p.name == "stage":
                    return sheet.stage.value if sheet.stage else None
                if p.name == "self_grade":
                    return sheet.self_grade.value if sheet.self_grade else None
                if p.name == "entry_status":
                    return self._status
                if p.name == "override_reason":
                    return sheet.override_reason
                value = getattr(sheet, p.name)
                return None if value is None else str(value)
            case "text":
                return sheet.texts.get(p.name)
            case "perspective":
                score = sheet.perspective_scores.get(p.name)
                return None if score is None else str(score)
            case "basic":
                return self._basic.get(p.name, "")
            case "indicator":
                assert p.index is not None and p.fy is not None
                year = self._indicator(p.index).year(p.fy)
                return year.note if p.name == "note" else getattr(year, p.name).to_storage()
            case "milestones":
                return json.dumps(self._milestones, ensure_ascii=False)
            case "milestone":
                item = self._milestone(p.index)[p.name]
                return None if item is None else str(item)
            case "cost_items":
                return _cost_items_json(self._cost_items)
            case "cost_item":
                v = self._cost_item(p.index)[p.name]
                return format(v, "f") if isinstance(v, Decimal) else (v or None)
            case _:
                assert p.fy is not None
                cost = self._snap.costs.get(p.fy)
                if cost is None:
                    return None
                v = getattr(cost, p.name)
                return format(v, "f") if isinstance(v, Decimal) else v

    def display(self, path: str) -> str:
        """The field as shown in a form: 「1,234」「—」「達成」, or the text."""
        p = FieldPath.parse(path).with_year(self.fy)
        stored = self._get(p)
        kept = self._unread.get(str(p))
        if kept is not None and kept.too_long:
            return kept.typed  # the whole text as typed, until it is shortened
        if p.kind == "indicator" and p.name != "note":
            assert p.index is not None
            return Value.from_storage(stored, self._indicator(p.index).value_type).display()
        if p.kind == "cost_item" and p.name != "label" and stored is not None:
            return format_decimal(Decimal(stored))
        if p.kind == "cost" and p.name in COST_NUMBER_FIELDS and stored is not None:
            return format_decimal(Decimal(stored))
        return stored or ""

    def label(self, path: str | FieldPath) -> str:
        """A Japanese name for the field, for the undo menu and messages."""
        p = FieldPath.parse(path).with_year(self.fy) if isinstance(path, str) else path
        match p.kind:
            case "sheet":
                return SHEET_FIELDS[p.name]
            case "text":
                return self.text_label(p.name)
            case "perspective":
                spec_p = self.settings.perspective(p.name)
                return f"観点別評価「{spec_p.label if spec_p else p.name}」"
            case "basic":
                return BASIC_FIELDS[p.name]
            case "indicator":
                assert p.index is not None and p.fy is not None
                return f"{self._indicator(p.index).name}（{fy_short(p.fy)} {_CELL_LABEL[p.name]}）"
            case "milestones":
                return "マイルストーン"
            case "milestone":
                assert p.index is not None
                return f"マイルストーン{p.index + 1}の{MILESTONE_FIELDS[p.name]}"
            case "cost_items":
                return "事業費内訳"
            case "cost_item":
                category = self._cost_item(p.index)["category"]
                row = self.cost_item_rows(category).index(p.index) + 1  # type: ignore[arg-type]
                name = {"expense": "費目", "funding": "財源"}.get(category, "名称")
                field = name if p.name == "label" else COST_ITEM_FIELDS[p.name]
                return f"事業費内訳（{COST_ITEM_CATEGORIES.get(category, category)}）{row}行目の{field}"
            case _:
                assert p.fy is not None
                return f"事業費 {fy_short(p.fy)} {COST_FIELDS[p.name]}"

    def editable(self, path: str) -> bool:
        return self.readonly_reason(FieldPath.parse(path).with_year(self.fy)) is None

    def readonly_reason(self, p: FieldPath) -> str | None:
        """None if the section may edit the field, else why not (Japanese)."""
        if self.locked:
            return self.locked
        if p.kind == "indicator":
            assert p.index is not None and p.fy is not None
            ind = self._indicator(p.index)
            if p.fy != self.fy:
                return f"{fy_short(p.fy)}の値は確定済みのため変更できません（入力できるのは{fy_short(self.fy)}の欄です）。"
            if not ind.active_in(self.fy):
                return f"指標「{ind.name}」は{fy_short(self.fy)}には使われていません（指標の変更）。"
        if p.kind == "cost" and p.fy != self.fy:
            assert p.fy is not None
            return f"{fy_short(p.fy)}の事業費は確定済みのため変更できません（入力できるのは{fy_short(self.fy)}の欄です）。"
        if p.kind == "basic" and not self.settings.section_may_edit(p.name):
            return "基本情報は計画の所管課が管理しています。変更が必要な場合は所管課に連絡してください。"
        if p.kind == "text" and self.settings.text_field(p.name) is None:
            return f"この計画のシートには「{p.name}」の欄がありません。"
        if p.kind == "perspective" and self.settings.perspective(p.name) is None:
            return f"この計画には観点「{p.name}」がありません。"
        return None

    def _indicator(self, index: int | None) -> IndicatorData:
        if index is None or not 0 <= index < len(self._snap.indicators):
            raise EditError("指定された指標がありません。")
        return self._snap.indicators[index]

    def _milestone(self, index: int | None) -> dict[str, Any]:
        if index is None or not 0 <= index < len(self._milestones):
            raise EditError("指定されたマイルストーンがありません。")
        return self._milestones[index]

    def _cost_item(self, index: int | None) -> dict[str, Any]:
        if index is None or not 0 <= index < len(self._cost_items):
            raise EditError("指定された事業費内訳の行がありません。")
        return self._cost_items[index]

    def cost_item_lines(self) -> list[CostItemLine]:
        return [(it["category"], it["label"], it["budget"], it["settlement"]) for it in self._cost_items]

    # --- computed figures -------------------------------------------------------------------------
    def evaluate(self) -> SheetEvaluation:
        """Suggested grade, findings and status of the sheet as it is now (cached until the next edit)."""
        if self._evaluation is None:
            ev = evaluate(self._snap, self.settings, self.fy, stored_status=self._status)
            items = check_cost_items(self.cost_item_lines(), self.settings, self._snap.code, self.fy)
            if items:
                ev = replace(ev, findings=ev.findings + tuple(items))
            ev = with_kept_input(ev, tuple(self._unread.values()), self._snap.code, self.fy)
            self._evaluation = ev
        return self._evaluation

    def rate(self, index: int, fy: int | None = None) -> RateResult:
        """達成率 of an indicator in ``fy`` (default: the sheet's year)."""
        ind = self._indicator(index)
        year = fy or self.fy
        known = self.evaluate().rate(index, year)  # the evaluation's rates: every year up to the sheet's
        if known is not None:
            return known
        return achievement_rate(ind.direction, ind.target_for(year), ind.year(year).actual, ind.baseline)

    def assessment(self, index: int) -> IndicatorAssessment:
        """How the indicator counts for the suggested grade, with a one-line explanation."""
        return self.evaluate().assessment(index)

    def text_label(self, key: str) -> str:
        """The label of a text field as the clerk should see it: a roadmap text (``roadmap_n``) is
        named after the measure's own n-th 主な取組 (「1. 行政手続のオンライン化（1-1-2）のロードマップ
        （1行に1つの取組内容）」), the plan's numbered label when the measure has no such 取組."""
        spec = self.settings.text_field(key)
        label = spec.label if spec else key
        m = _ROADMAP_KEY.match(key)
        if m is None:
            return label
        n = int(m.group(1))
        if not 0 < n <= len(self.info.initiatives):
            return label
        name = self.info.initiatives[n - 1]
        rest = _NUMBERED_INITIATIVE.sub("", label, count=1)
        if rest == label:  # a label of the plan's own wording: the name goes before it
            return f"{n}. {name}：{label}"
        return f"{n}. {name}{rest}"

    def text_count(self, key: str, text: str | None = None) -> TextCount:
        """Characters typed against the plan's limit (``text``: what the box holds before commit)."""
        spec = self.settings.text_field(key)
        value = text if text is not None else (self._snap.sheet.texts.get(key) or "")
        length = len(value.replace("\r\n", "\n"))
        if spec is None:
            return TextCount(key, length, None, False)
        return TextCount(spec.label, length, spec.limit, spec.required)

    # --- editing ----------------------------------------------------------------------------------
    def set(self, path: str, raw: object) -> FieldChange | None:
        """Normalise and validate ``raw`` for the field; store it in memory. None if nothing changed."""
        p = FieldPath.parse(path).with_year(self.fy)
        if p.kind == "sheet" and p.name == "self_grade":
            changes = self.set_self_grade(raw, self._snap.sheet.override_reason)
            return changes[-1] if changes else None
        reason = self.readonly_reason(p)
        if reason is not None:
            raise EditError(reason)
        key = str(p)
        self._recent_unread = None
        try:
            new = self._normalise(p, raw)
        except (FieldError, ValueInputError, FiscalYearError) as exc:
            if isinstance(raw, str) and _keeps_unread(p, raw):
                # keep what was typed: it stays on screen and in the database until it is fixed
                self._unread[key] = UnreadInput(key, raw, str(exc), self.label(p))
                self._recent_unread = key
                self._evaluation = None
            raise EditError(str(exc)) from exc
        if self._unread.pop(key, None) is not None:
            self._evaluation = None
        if p.kind == "sheet" and p.name == "override_reason" and not (new or "").strip():
            ev = self.evaluate()
            if ev.is_override:
                suggested = ev.suggestion.grade.value if ev.suggestion.grade else "算出なし"
                raise EditError(
                    f"自己評価を算出結果（{suggested}）から変更しているため、理由は空にできません。"
                    "理由を入力するか、自己評価を算出結果どおりに戻してください。"
                )
        old = self._get(p)
        if _same(old, new):
            return None
        self._store(p, new)
        return FieldChange(str(p), old, new, self.label(p))

    def set_many(
        self, items: Iterable[tuple[str, object]]
    ) -> tuple[list[FieldChange], list[tuple[str, str]]]:
        """Set several fields (a pasted block). Returns the changes made and (path, message) errors."""
        changes: list[FieldChange] = []
        errors: list[tuple[str, str]] = []
        for path, raw in items:
            try:
                change = self.set(path, raw)
            except EditError as exc:
                errors.append((path, str(exc)))
                continue
            if change is not None:
                changes.append(change)
        return changes, errors

    def set_self_grade(self, grade: object, reason: object) -> list[FieldChange]:
        """Choose the self grade. Blank (or the suggested grade) accepts the suggestion; any other grade
        needs a reason, else :class:`EditError` and nothing changes."""
        text = unicodedata.normalize("NFKC", str(grade or "")).strip().upper()
        try:
            chosen = Grade(text) if text else None
            why = normalize_text(reason, label=SHEET_FIELDS["override_reason"])
        except ValueError as exc:
            if isinstance(exc, FieldError):
                raise EditError(str(exc)) from exc
            raise EditError("自己評価は A・B・C・D から選んでください。") from exc
        suggested = self.evaluate().suggestion.grade
        new_grade = None if chosen is None or chosen == suggested else chosen
        if new_grade is not None and not why.strip():
            shown = suggested.value if suggested else "算出なし"
            raise EditError(
                f"算出結果（{shown}）と異なる自己評価 {new_grade.value} にするには、"
                "変更した理由を入力してください。"
            )
        changes: list[FieldChange] = []
        for name, value in (("override_reason", why), ("self_grade", new_grade.value if new_grade else None)):
            p = FieldPath("sheet", name)
            old = self._get(p)
            if not _same(old, value):
                self._store(p, value)
                changes.append(FieldChange(name, old, value, self.label(p)))
        return changes

    def add_milestone(self, text: str, due_fy: object = None, due_month: object = None) -> FieldChange:
        items = self.milestones
        items.append({"text": text, "due_fy": due_fy, "due_month": due_month, "status": "not_started"})
        change = self.set("milestones", items)
        assert change is not None
        return change

    def remove_milestone(self, index: int) -> FieldChange:
        items = self.milestones
        self._milestone(index)
        del items[index]
        change = self.set("milestones", items)
        assert change is not None
        # the row's own kept input goes with the row; the rows below move up with theirs
        self._move_unread_rows({i: (i - 1 if i > index else None) for i in range(len(items) + 1)})
        return change

    def move_milestone(self, index: int, delta: int) -> FieldChange | None:
        items = self.milestones
        self._milestone(index)
        j = index + delta
        if not 0 <= j < len(items):
            return None
        items[index], items[j] = items[j], items[index]
        change = self.set("milestones", items)
        self._move_unread_rows({index: j, j: index})
        return change

    def add_cost_item(self, category: str) -> FieldChange:
        """A new empty line at the end of the 費目別 (``expense``) or 財源別 (``funding``) table."""
        if category not in COST_ITEM_CATEGORIES:
            raise EditError("事業費内訳の表が違います。")
        items = self.cost_items
        items.append({"category": category, "label": "", "budget": None, "settlement": None})
        change = self.set("cost_items", items)
        assert change is not None
        return change

    def remove_cost_item(self, index: int) -> FieldChange:
        """Remove a 事業費内訳 line; its kept input goes with it, the lines below move up with theirs."""
        items = self.cost_items
        self._cost_item(index)
        del items[index]
        change = self.set("cost_items", items)
        assert change is not None
        self._move_unread_rows(
            {i: (i - 1 if i > index else None) for i in range(len(items) + 1)}, "cost_item"
        )
        return change

    def _move_unread_rows(self, moves: dict[int, int | None], kind: str = "milestone") -> None:
        """Kept input of milestone (or 事業費内訳) rows follows its row (``moves``: old row -> new row,
        None: removed)."""
        moved: dict[str, UnreadInput] = {}
        for key, kept in self._unread.items():
            p = FieldPath.parse(key)
            if p.kind == kind and p.index in moves:
                row = moves[p.index]
                if row is None:
                    continue
                key = str(FieldPath(kind, p.name, row))
                kept = replace(kept, path=key)
            moved[key] = kept
        if moved != self._unread:
            self._unread = moved
            self._evaluation = None

    def apply_stored(self, path: str, stored: str | None) -> None:
        """Put a stored value back without validation (undo and redo of earlier valid edits). The field
        then holds that value: text kept unread in it is dropped."""
        p = FieldPath.parse(path)
        self._recent_unread = None
        if self._unread.pop(str(p.with_year(self.fy)), None) is not None:
            self._evaluation = None
        self._store(p, stored)

    # --- normalisation ------------------------------------------------------------------------------
    def _normalise(self, p: FieldPath, raw: object) -> str | None:
        label = self.label(p)
        match p.kind:
            case "sheet":
                return self._normalise_sheet(p.name, raw, label)
            case "text" | "basic":
                return normalize_text(raw, label=label)
            case "perspective":
                score = normalize_score(raw, label=label)
                return None if score is None else str(score)
            case "indicator":
                assert p.index is not None
                ind = self._indicator(p.index)
                if p.name == "note":
                    return normalize_text(raw, label=label)
                value = normalize_value(
                    raw if raw is None or isinstance(raw, str) else str(raw),
                    ind.value_type,
                    role=p.name,
                    unit=ind.unit,
                    decimals=ind.decimals,
                )
                return value.to_storage()
            case "milestones":
                return self._normalise_milestones(raw)
            case "milestone":
                self._milestone(p.index)
                return _milestone_field(p.name, raw)
            case "cost_items":
                return _cost_items_json(_normalise_cost_items(raw))
            case "cost_item":
                category = self._cost_item(p.index)["category"]
                return _cost_item_field(p.name, raw, label, category)
            case _:
                return _cost_field(p.name, raw, label)

    def _normalise_sheet(self, name: str, raw: object, label: str) -> str | None:
        text = "" if raw is None else str(raw)
        if name == "stage":
            t = unicodedata.normalize("NFKC", text).strip()
            return Stage.from_label(t).value if t else None
        if name == "direction":
            t = text.strip()
            if not t:
                return None
            if self.settings.direction_option(t) is None:
                choices = "・".join(o.key for o in self.settings.direction_options)
                raise FieldError(f"方向性は次から選んでください：{choices}")
            return t
        if name == "entry_status":
            t = text.strip()
            try:
                return EntryStatus.from_label(t).value if t else None
            except ValueError as exc:
                raise FieldError(str(exc)) from exc
        if name in ("author", "chief_confirmed_by"):
            return normalize_text(text, label=label, max_chars=MAX_SHORT_TEXT).strip()
        return normalize_text(text, label=label)

    def _normalise_milestones(self, raw: object) -> str:
        items = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise FieldError("マイルストーンの一覧を読み取れません。")
        out = []
        for item in items:
            if not isinstance(item, dict):
                raise FieldError("マイルストーンの一覧を読み取れません。")
            norm = {k: _milestone_field(k, item.get(k)) for k in ("text", "due_fy", "due_month", "status")}
            out.append(
                {
                    "text": norm["text"],
                    "due_fy": int(norm["due_fy"]) if norm["due_fy"] else None,
                    "due_month": int(norm["due_month"]) if norm["due_month"] else None,
                    "status": norm["status"],
                }
            )
        return json.dumps(out, ensure_ascii=False)

    # --- in-memory update ---------------------------------------------------------------------------
    def _store(self, p: FieldPath, new: str | None) -> None:
        self._evaluation = None
        apply_field(self, p, new)

    # the FieldTarget of the sheet in memory (dxdesk.store.sheet_store has the database's)
    def put_sheet(self, name: str, value: Any) -> None:
        if name == "entry_status":
            self._status = value
            return
        if name == "stage":
            value = Stage(value) if value else None
        elif name == "self_grade":
            value = Grade(value) if value else None
        self._snap = replace(self._snap, sheet=replace(self._snap.sheet, **{name: value}))

    def put_text(self, key: str, text: str | None) -> None:
        texts = dict(self._snap.sheet.texts)
        if text is None:
            texts.pop(key, None)
        else:
            texts[key] = text
        self._snap = replace(self._snap, sheet=replace(self._snap.sheet, texts=texts))

    def put_score(self, key: str, score: int | None) -> None:
        scores = dict(self._snap.sheet.perspective_scores)
        if score is None:
            scores.pop(key, None)
        else:
            scores[key] = score
        self._snap = replace(self._snap, sheet=replace(self._snap.sheet, perspective_scores=scores))

    def put_basic(self, name: str, text: str) -> None:
        self._basic[name] = text
        if name in ("purpose", "summary", "target_group"):
            changed: dict[str, Any] = {name: text}
            self._snap = replace(self._snap, **changed)

    def put_indicator(self, index: int, fy: int, name: str, value: str | None) -> None:
        ind = self._indicator(index)
        years = dict(ind.years)
        year = years.get(fy, IndicatorYear())
        if name == "note":
            year = replace(year, note=value or "")
        else:
            cell: dict[str, Any] = {name: Value.from_storage(value, ind.value_type)}
            year = replace(year, **cell)
        years[fy] = year
        inds = list(self._snap.indicators)
        inds[index] = replace(ind, years=years)
        self._snap = replace(self._snap, indicators=tuple(inds))

    def put_milestones(self, items: list[dict[str, Any]]) -> None:
        self._milestones = items
        self._snap = replace(self._snap, sheet=replace(self._snap.sheet, milestones=self._milestone_data()))

    def put_milestone(self, index: int, name: str, value: Any) -> None:
        self._milestone(index)[name] = value
        self._snap = replace(self._snap, sheet=replace(self._snap.sheet, milestones=self._milestone_data()))

    def put_cost(self, fy: int, name: str, value: Any) -> None:
        costs = dict(self._snap.costs)
        amount: dict[str, Any] = {name: value}
        costs[fy] = replace(costs.get(fy) or CostData(fiscal_year=fy), **amount)
        self._snap = replace(self._snap, costs=costs)

    def put_cost_items(self, items: list[dict[str, Any]]) -> None:
        self._cost_items = [dict(it) for it in items]

    def put_cost_item(self, index: int, name: str, value: Any) -> None:
        self._cost_item(index)[name] = value

    def _milestone_data(self) -> tuple[MilestoneData, ...]:
        return tuple(
            MilestoneData(
                text=m.get("text") or "",
                due_fy=m.get("due_fy"),
                status=MilestoneStatus(m.get("status") or "not_started"),
                order=i,
            )
            for i, m in enumerate(self._milestones)
        )


class FieldTarget(Protocol):
    """Where a field's value goes: the sheet in memory (:class:`EditableSheet`) or its rows in the
    database (``dxdesk.store.sheet_store``). :func:`apply_field` decides the value; a target only puts
    it in its place."""

    def put_sheet(self, name: str, value: Any) -> None: ...
    def put_text(self, key: str, text: str | None) -> None: ...
    def put_score(self, key: str, score: int | None) -> None: ...
    def put_basic(self, name: str, text: str) -> None: ...
    def put_indicator(self, index: int, fy: int, name: str, value: str | None) -> None: ...
    def put_milestones(self, items: list[dict[str, Any]]) -> None: ...
    def put_milestone(self, index: int, name: str, value: Any) -> None: ...
    def put_cost(self, fy: int, name: str, value: Any) -> None: ...
    def put_cost_items(self, items: list[dict[str, Any]]) -> None: ...
    def put_cost_item(self, index: int, name: str, value: Any) -> None: ...


# sheet fields that are text and never blank (None) in storage
NOT_NULL_SHEET_FIELDS = frozenset({"override_reason", "direction_reason", "author", "chief_confirmed_by"})


def apply_field(target: FieldTarget, p: FieldPath, new: str | None) -> None:
    """The one field-change applier: the stored text ``new`` of field ``p`` (already normalised, see
    :meth:`EditableSheet.set`) becomes the value its place holds, for memory and database alike."""
    match p.kind:
        case "sheet":
            target.put_sheet(p.name, (new or "") if p.name in NOT_NULL_SHEET_FIELDS else new)
        case "text":
            target.put_text(p.name, new)
        case "perspective":
            target.put_score(p.name, None if new is None else int(new))
        case "basic":
            target.put_basic(p.name, new or "")
        case "indicator":
            assert p.index is not None and p.fy is not None
            target.put_indicator(p.index, p.fy, p.name, (new or "") if p.name == "note" else new)
        case "milestones":
            target.put_milestones(json.loads(new or "[]"))
        case "milestone":
            assert p.index is not None
            if p.name in ("due_fy", "due_month"):
                target.put_milestone(p.index, p.name, int(new) if new else None)
            else:
                target.put_milestone(p.index, p.name, new or "")
        case "cost_items":
            target.put_cost_items(_normalise_cost_items(new or "[]"))
        case "cost_item":
            assert p.index is not None
            if p.name == "label":
                target.put_cost_item(p.index, p.name, new or "")
            else:
                target.put_cost_item(p.index, p.name, Decimal(new) if new is not None else None)
        case _:
            assert p.fy is not None
            if p.name in COST_NUMBER_FIELDS:
                target.put_cost(p.fy, p.name, Decimal(new) if new is not None else None)
            elif p.name == "execution_note":
                target.put_cost(p.fy, p.name, new or "")
            else:
                target.put_cost(p.fy, p.name, new)


def with_kept_input(
    ev: Evaluation, kept: Sequence[UnreadInput], measure_code: str, fiscal_year: int
) -> Evaluation:
    """The sheet's evaluation with the input kept unread as errors first (the one rule for the sheet,
    the list of measures and the pre-submission check). A sheet with kept input is never 入力完了; a
    text kept whole because it is too long is not also 「未入力」 (what is stored is the older text)."""
    if not kept:
        return ev
    long = {u.path for u in kept if u.too_long}
    rest = tuple(
        f for f in ev.findings if not (f.field in long and f.check_id in ("REQ-TEXT", "REQ-TEXT-LIMIT"))
    )
    status = EntryStatus.NEEDS_CHECK if ev.status is EntryStatus.COMPLETE else ev.status
    return replace(
        ev, findings=tuple(u.finding(measure_code, fiscal_year) for u in kept) + rest, status=status
    )


def _keeps_unread(p: FieldPath, raw: str) -> bool:
    """Which refused input is kept as typed: numbers, scores and amounts that cannot be read, a
    milestone's year or month (「13月」「R8.13」), and any text longer than an Excel cell holds."""
    if plain_length(raw) > MAX_LONG_TEXT:
        return True
    if p.kind == "milestone":
        return p.name in ("due_fy", "due_month")
    if p.kind == "cost_item":
        return p.name != "label"
    return p.kind in ("indicator", "cost", "perspective")


def _milestone_field(name: str, raw: object) -> str | None:
    text = "" if raw is None else str(raw)
    if name == "text":
        t = normalize_text(text, label="マイルストーン", max_chars=2000).strip()
        if not t:
            raise FieldError("マイルストーンの内容を入力してください。")
        return t
    if name == "due_fy":
        return str(parse_fiscal_year(text)) if text.strip() else None
    if name == "due_month":
        month = normalize_month(text)
        return None if month is None else str(month)
    t = text.strip()
    try:
        return MilestoneStatus.from_label(t).value if t else MilestoneStatus.NOT_STARTED.value
    except ValueError as exc:
        raise FieldError(str(exc)) from exc


def _cost_field(name: str, raw: object, label: str) -> str | None:
    if name == "execution_note":
        return normalize_text(raw, label=label)
    text = "" if raw is None else str(raw)
    if name == "part_time_staff":
        t = unicodedata.normalize("NFKC", text).strip()
        if not t:
            return None
        if t not in _PART_TIME:
            raise FieldError("会計年度任用職員は「有」か「無」を入力してください。")
        return _PART_TIME[t]
    try:
        d = normalize_number(text, decimals=COST_DECIMALS.get(name), allow_negative=False)
    except ValueInputError as exc:
        raise FieldError(f"{label}：{exc}") from exc
    return None if d is None else format(d, "f")


def _cost_items_json(items: Sequence[dict[str, Any]]) -> str:
    """The stored text of a year's 事業費内訳 lines (amounts as plain decimal text)."""
    return json.dumps(
        [
            {
                "category": it["category"],
                "label": it["label"],
                "budget": None if it["budget"] is None else format(it["budget"], "f"),
                "settlement": None if it["settlement"] is None else format(it["settlement"], "f"),
            }
            for it in items
        ],
        ensure_ascii=False,
    )


def _normalise_cost_items(raw: object) -> list[dict[str, Any]]:
    """事業費内訳 lines from their stored text or a list: each line checked like a typed cell."""
    items = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise FieldError("事業費内訳を読み取れません。")
    out = []
    for item in items:
        if not isinstance(item, dict) or item.get("category") not in COST_ITEM_CATEGORIES:
            raise FieldError("事業費内訳を読み取れません。")
        category = item["category"]
        line: dict[str, Any] = {"category": category}
        for name in ("label", "budget", "settlement"):
            raw_value = item.get(name)
            if isinstance(raw_value, Decimal):
                raw_value = format(raw_value, "f")
            stored = _cost_item_field(name, raw_value, COST_ITEM_FIELDS[name], category)
            line[name] = (stored or "") if name == "label" else (None if stored is None else Decimal(stored))
        out.append(line)
    return out


def _cost_item_field(name: str, raw: object, label: str, category: str) -> str | None:
    """A typed cell of a 事業費内訳 line: 費目 as text, 財源 one of :data:`FUNDING_CHOICES` (「国」 and
    「地方債」 are read as the printed table reads them), amounts like the 事業費 table's (「１,２３４」)."""
    text = "" if raw is None else str(raw)
    if name == "label":
        if category == "funding":
            t = unicodedata.normalize("NFKC", text).strip()
            if not t:
                return ""
            t = _FUNDING_ALIASES.get(t, t)
            if t not in FUNDING_CHOICES:
                raise FieldError("財源は次から選んでください：" + "・".join(FUNDING_CHOICES))
            return t
        return normalize_text(text, label="費目", max_chars=MAX_SHORT_TEXT).strip()
    try:
        d = normalize_number(text, allow_negative=False)
    except ValueInputError as exc:
        raise FieldError(f"{label}：{exc}") from exc
    return None if d is None else format(d, "f")
