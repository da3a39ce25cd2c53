"""Reading one cell of the plan master: what a person typed in Excel, as a checked Python value.

Cells arrive from python-calamine as ``str``, ``int``, ``float``, ``bool`` or dates. Each reader either
returns the value or raises :class:`CellError` with a Japanese message saying what to type. The
forgiving rules are the entry forms' ones: 全角 digits, 「1,234」, 「△5」, 「—」 for not applicable,
years as 「R8」「令和8年度」「2026」.

Numbers typed into Excel reach us as binary floats; :func:`decimal_of` turns them back into the decimal
a person saw (``280.0`` → ``Decimal("280")``, ``46.2`` → ``Decimal("46.2")``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from dxdesk.central.plan_master.layout import (
    BASIC_FIELD_WORDS,
    BOOL_FALSE,
    BOOL_TRUE,
    DIRECTION_WORDS,
    INDICATOR_YEARS_WORDS,
    NOT_SET,
    VALUE_TYPE_WORDS,
    YEAR_PLACEHOLDER,
)
from dxdesk.domain.enums import EvaluationScheme, IndicatorKind, MilestoneStatus, Stage
from dxdesk.domain.fiscal import FiscalYearError, parse_fiscal_year
from dxdesk.domain.quantity import Quantity, QuantityError, read_quantity, same_unit
from dxdesk.domain.values import NA_MARK, ValueInputError, normalize_value
from dxdesk.errors import DxdeskError

__all__ = [
    "MAX_CELL_CHARS",
    "CellError",
    "is_blank",
    "keep_same",
    "quantity_notes",
    "read_amount",
    "read_basic_fields",
    "read_bool",
    "read_code",
    "read_codes",
    "read_cost_year_labels",
    "read_direction",
    "read_indicator_kind",
    "read_indicator_years",
    "read_int",
    "read_json",
    "read_milestone_status",
    "read_month",
    "read_names",
    "read_rate_decimals",
    "read_scheme",
    "read_sdgs",
    "read_stage",
    "read_text",
    "read_value",
    "read_value_type",
    "read_year",
]

MAX_CELL_CHARS = 32_767  # what an Excel cell holds


class CellError(DxdeskError, ValueError):
    """A cell that cannot be read; the message is Japanese and says what to type."""


_SEPARATORS = re.compile(r"[、,，;；/／・\s]+")


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip().strip("\u3000") == "")


def decimal_of(raw: float | int) -> Decimal:
    """A number from a cell as the decimal a person saw (Excel keeps 15 significant digits)."""
    if isinstance(raw, int):
        return Decimal(raw)
    if raw != raw or raw in (float("inf"), float("-inf")):
        raise CellError("数値として扱えない値です。")
    if raw.is_integer() and abs(raw) < 1e15:
        return Decimal(int(raw))
    return Decimal(format(raw, ".15g")).normalize()


def _as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)):
        return format(decimal_of(raw), "f")
    if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        raise CellError("日付や時刻として入力されています。文字として入力し直してください。")
    return str(raw)


def read_text(raw: Any, max_len: int | None = None) -> str:
    """Free text: kept as typed (line ends normalised), blank gives ``""``."""
    if is_blank(raw):
        return ""
    text = _as_text(raw).replace("\r\n", "\n").replace("\r", "\n")
    if max_len is not None and len(text) > max_len:
        raise CellError(f"{max_len:,}文字以内で入力してください（{len(text):,}文字あります）。")
    return text.strip("\n")


def read_code(raw: Any, max_len: int | None = None) -> str:
    """A code: 全角 letters and digits become 半角, surrounding spaces go; no line breaks inside."""
    if is_blank(raw):
        return ""
    text = unicodedata.normalize("NFKC", _as_text(raw)).strip()
    if "\n" in text or "\r" in text or "\t" in text:
        raise CellError("コードに改行やタブは使えません。")
    if max_len is not None and len(text) > max_len:
        raise CellError(f"コードは{max_len}文字以内で入力してください（{len(text)}文字あります）。")
    return text


def read_codes(raw: Any) -> list[str]:
    """Several codes separated by 「、」「,」 or spaces."""
    if is_blank(raw):
        return []
    text = unicodedata.normalize("NFKC", _as_text(raw))
    return [c for c in _SEPARATORS.split(text) if c]


def read_names(raw: Any) -> list[str]:
    """Names separated by 「、」「,」 or line breaks (spaces belong to the names)."""
    if is_blank(raw):
        return []
    return [n.strip() for n in re.split(r"[、,，\n]+", _as_text(raw)) if n.strip()]


def read_year(raw: Any) -> int | None:
    if is_blank(raw):
        return None
    if isinstance(raw, (dt.datetime, dt.date)):
        raise CellError("日付ではなく年度を入力してください（例：「R8」「令和8年度」「2026」）。")
    if isinstance(raw, bool):
        raise CellError("年度を入力してください（例：「R8」「令和8年度」「2026」）。")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(
                f"「{raw}」は年度として読み取れません。「R8」「令和8年度」「2026」のように入力してください。"
            )
        raw = int(raw)
    try:
        return parse_fiscal_year(raw if isinstance(raw, int) else str(raw))
    except FiscalYearError as exc:
        message = str(exc)
        if isinstance(raw, int) and raw < 100:
            message += f"和暦のときは「R{raw}」のように元号を付けてください。"
        raise CellError(message) from exc


def read_int(raw: Any, low: int, high: int) -> int | None:
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError("整数を入力してください。")
    if isinstance(raw, (int, float)):
        d = decimal_of(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if not re.fullmatch(r"-?\d+", text):
            raise CellError(
                f"「{str(raw)[:20]}」は整数として読み取れません。{low}〜{high}の整数を入力してください。"
            )
        d = Decimal(text)
    if d != d.to_integral_value() or not low <= d <= high:
        raise CellError(f"{low}〜{high}の整数を入力してください。")
    return int(d)


def read_month(raw: Any) -> int | None:
    if isinstance(raw, str):
        raw = unicodedata.normalize("NFKC", raw).strip().removesuffix("月")
    return read_int(raw, 1, 12)


def read_bool(raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text in BOOL_TRUE or str(raw).strip() in BOOL_TRUE:
        return True
    if text in BOOL_FALSE or str(raw).strip() in BOOL_FALSE:
        return False
    raise CellError(
        f"「{str(raw)[:20]}」は使えません。当てはまるときは「○」、当てはまらないときは空欄にしてください。"
    )


def read_yes_no(raw: Any) -> bool | None:
    if is_blank(raw):
        return None
    return read_bool(raw)


def _choice(raw: Any, words: dict[str, str], labels: str) -> str | None:
    if is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    for key, word in words.items():
        if text in (key, word):
            return key
    raise CellError(f"「{text[:20]}」は選択肢にありません（{labels}）。")


def read_direction(raw: Any) -> str | None:
    if is_blank(raw):
        return None
    from dxdesk.domain.enums import Direction

    try:
        return Direction.from_label(unicodedata.normalize("NFKC", str(raw)).strip()).value
    except ValueError:
        pass
    try:
        return Direction.from_label(str(raw).strip()).value
    except ValueError as exc:
        raise CellError(
            f"「{str(raw).strip()[:20]}」は選択肢にありません（{'・'.join(DIRECTION_WORDS.values())}）。"
        ) from exc


def read_indicator_kind(raw: Any) -> str | None:
    if is_blank(raw):
        return None
    try:
        return IndicatorKind.from_label(str(raw).strip()).value
    except ValueError as exc:
        raise CellError(str(exc)) from exc


def read_value_type(raw: Any) -> str | None:
    return _choice(raw, VALUE_TYPE_WORDS, "・".join(VALUE_TYPE_WORDS.values()))


def read_milestone_status(raw: Any) -> str | None:
    if is_blank(raw):
        return None
    try:
        return MilestoneStatus.from_label(str(raw).strip()).value
    except ValueError as exc:
        raise CellError(str(exc)) from exc


def read_stage(raw: Any) -> str | None:
    """A lifecycle stage by its label (構築期 …), its number (1, 2, 3, 3・4, 4, 5) or 「第1期」."""
    if is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", _as_text(raw)).strip()
    text = text.removeprefix("第").removesuffix("期") if re.fullmatch(r"第?[0-9.・_]+期?", text) else text
    text = {"3・4": "3_4", "3.4": "3_4", "3-4": "3_4"}.get(text, text)
    try:
        return Stage.from_label(text).value
    except ValueError:
        pass
    try:
        return Stage.from_label(str(raw).strip()).value
    except ValueError as exc:
        raise CellError(str(exc)) from exc


def read_amount(raw: Any) -> str | None:
    """An amount of money (事業費) as stored: a decimal text; 「1,234千円」「△5」 are read; 「—」 is not
    an amount (blank means none)."""
    if is_blank(raw):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return format(decimal_of(raw), "f")
    try:
        q = read_quantity(_as_text(raw))
    except QuantityError as exc:
        raise CellError(str(exc)) from exc
    if q.na:
        return None
    return None if q.number is None else format(q.number, "f")


def read_scheme(raw: Any) -> str | None:
    if is_blank(raw):
        return None
    try:
        return EvaluationScheme.from_label(str(raw).strip()).value
    except ValueError as exc:
        raise CellError(str(exc)) from exc


# --- print settings (基本設定) -----------------------------------------------------------------------


def _not_set(raw: Any) -> bool:
    return isinstance(raw, str) and unicodedata.normalize("NFKC", raw).strip() == NOT_SET


def read_rate_decimals(raw: Any) -> int | None:
    """The decimals of a printed 達成率: an integer 0–3."""
    try:
        return read_int(raw, 0, 3)
    except CellError:
        shown = (
            format(decimal_of(raw), "f")
            if isinstance(raw, (int, float)) and not isinstance(raw, bool)
            else str(raw)[:20]
        )
        raise CellError(
            f"「{shown}」は使えません。小数点以下の桁数は0〜3の整数で入力してください"
            "（「240%」と印刷する様式は0、「33.4%」は1）。"
        ) from None


def read_indicator_years(raw: Any) -> str | None:
    """all | entered, by the words of the drop-down list (or the setting's own words)."""
    if is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    for key, word in INDICATOR_YEARS_WORDS.items():
        if text in (key, word):
            return key
    raise CellError(
        f"「{text[:20]}」は選べません。指標表の年度は"
        f"「{'」か「'.join(INDICATOR_YEARS_WORDS.values())}」を選んでください。"
    )


def read_basic_fields(raw: Any) -> list[str] | str | None:
    """The 基本情報 rows a printed form always has (関連課所室、予算科目 … as keys), or :data:`NOT_SET`."""
    if is_blank(raw):
        return None
    if _not_set(raw):
        return NOT_SET
    by_word = {unicodedata.normalize("NFKC", w): k for k, w in BASIC_FIELD_WORDS.items()}
    keys: list[str] = []
    for name in read_names(raw):
        word = unicodedata.normalize("NFKC", name)
        key = by_word.get(word) or (word if word in BASIC_FIELD_WORDS else None)
        if key is None:
            raise CellError(
                f"「{name[:20]}」は基本情報の項目ではありません。"
                f"{'・'.join(BASIC_FIELD_WORDS.values())}から選び、「、」で区切って入力してください"
                f"（使わないときは「{NOT_SET}」）。"
            )
        if key not in keys:
            keys.append(key)
    return keys


def read_cost_year_labels(raw: Any) -> dict[str, str] | str | None:
    """The 事業費 column headings 「{year}実績、{year}計画」 (決算 years, then 予算 years), or :data:`NOT_SET`."""
    if is_blank(raw):
        return None
    if _not_set(raw):
        return NOT_SET
    labels = [unicodedata.normalize("NFKC", n) for n in read_names(raw)]
    if len(labels) != 2 or not all(YEAR_PLACEHOLDER in label for label in labels):
        raise CellError(
            f"「{_as_text(raw)[:30]}」は使えません。事業費の列見出しは「{YEAR_PLACEHOLDER}実績、{YEAR_PLACEHOLDER}計画」"
            f"のように、決算の年度と予算の年度の見出しを「、」で区切って入力してください"
            f"（{YEAR_PLACEHOLDER} が「R2」のような年度になります。使わないときは「{NOT_SET}」）。"
        )
    return {"actual": labels[0], "plan": labels[1]}


def read_sdgs(raw: Any) -> list[int]:
    if is_blank(raw):
        return []
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        parts = [format(decimal_of(raw), "f")]
    else:
        parts = [p for p in re.split(r"[、,，;；/／・\s]+", unicodedata.normalize("NFKC", str(raw))) if p]
    goals: list[int] = []
    for part in parts:
        p = part.upper().removeprefix("SDGS").removeprefix("GOAL").removeprefix("ゴール").strip()
        if not p.isdigit() or not 1 <= int(p) <= 17:
            raise CellError(f"「{part[:10]}」はSDGsのゴールの番号（1〜17）ではありません。")
        if int(p) not in goals:
            goals.append(int(p))
    return goals


def read_json(raw: Any) -> dict[str, Any] | None:
    if is_blank(raw):
        return None
    try:
        data = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise CellError(f"JSONとして読み取れません（{exc.lineno}行{exc.colno}文字目：{exc.msg}）。") from exc
    if not isinstance(data, dict):
        raise CellError("「{ … }」の形のJSONで入力してください。")
    return data


def read_value(
    raw: Any,
    value_type: str,
    role: str,
    unit: str,
    decimals: int | None,
    seen: list[Quantity] | None = None,
) -> str | None:
    """An indicator value as stored (``Value.to_storage()``): blank → None, 「—」, a decimal, a text.

    A number typed into Excel gets the indicator's decimals (280 in a one-decimal indicator is
    「280.0」): Excel does not keep the decimals a person typed, the indicator says them.

    With ``seen``, a numeric text is read as published (「累計 3,210 人」「12.5%/年」): its unit may differ
    from the indicator's, and what was written around the number is appended to ``seen`` for the
    caller to compare with the indicator (unit, 累計, 約)."""
    if is_blank(raw):
        return None
    try:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            d = decimal_of(raw)
            if value_type == "numeric" and decimals is not None:
                exp = d.as_tuple().exponent
                have = -exp if isinstance(exp, int) and exp < 0 else 0
                if have < decimals:
                    d = d.quantize(Decimal(1).scaleb(-decimals))
            value = normalize_value(
                d if value_type == "numeric" else format(d, "f"),
                value_type,
                role=role,
                unit=unit,
                decimals=decimals,
            )
        elif seen is not None and value_type == "numeric":
            try:
                q = read_quantity(_as_text(raw), unit=unit)
            except QuantityError as exc:
                raise CellError(str(exc)) from exc
            if q.na:
                return NA_MARK
            if q.number is None:
                return None
            if q.unit or q.cumulative or q.approximate or q.bound:
                seen.append(q)
            if decimals is not None:
                exp = q.number.as_tuple().exponent
                if isinstance(exp, int) and -exp > decimals:
                    raise CellError(
                        f"小数点以下は{decimals}桁までです。" if decimals else "整数で入力してください。"
                    )
            return format(q.number, "f")
        else:
            value = normalize_value(_as_text(raw), value_type, role=role, unit=unit, decimals=decimals)
    except ValueInputError as exc:
        raise CellError(str(exc)) from exc
    return value.to_storage()


def quantity_notes(quantities: list[Quantity], unit: str, cumulative: bool) -> tuple[str, bool, list[str]]:
    """What the values written as published say about their indicator: the unit to set when the
    indicator has none, whether it is cumulative, and the 注意 to show (another unit, 「約」)."""
    notes: list[str] = []
    new_unit, new_cumulative = unit, cumulative
    for q in quantities:
        if q.unit:
            if not new_unit:
                new_unit = q.full_unit
                notes.append(f"値に書かれた単位「{new_unit}」を指標の単位にしました。")
            elif not (same_unit(q.unit, new_unit) or same_unit(q.full_unit, new_unit)):
                notes.append(
                    f"値の単位「{q.full_unit}」が指標の単位「{new_unit}」と違います。数値{format(q.number, ',f')}として読み取りました。単位を確かめてください。"
                )
        if q.cumulative and not new_cumulative:
            new_cumulative = True
            notes.append("値に「累計」と書かれているため、累計の指標にしました。")
        notes.extend(q.warnings())
    return new_unit, new_cumulative, list(dict.fromkeys(notes))


def _same_number(old: str | None, new: str | None) -> bool:
    if old is None or new is None:
        return False
    try:
        return Decimal(old) == Decimal(new)
    except (InvalidOperation, ValueError):
        return False


def keep_same(old: str | None, new: str | None) -> str | None:
    """The stored text when the new value is the same number (「280.0」 stays, not 「280」), so the same
    file read twice changes nothing."""
    return old if _same_number(old, new) else new
