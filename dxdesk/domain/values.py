"""Indicator and cost values: what a person types, what is stored, what is shown.

A cell of a yearly sheet is one of: blank (not entered yet), 「—」 (not applicable: the published sheets
write —, －, ― or / for it), a number, a qualitative text (「移行完了」), or, for the actual of a
qualitative indicator, 達成 / 未達成. Blank and 「—」 are different facts and are kept apart everywhere.

Numbers are :class:`~decimal.Decimal` and keep the decimals the person typed (「280.0」 stays 280.0, so
the printed sheet shows what was entered). Input is forgiving the way Japanese offices type: 全角
digits, 「1,234」, 「△5」/「▲5」 for −5, and everything published plans write around a number
(「12.5%/年」「累計 3,210 人」「約40件」: :mod:`dxdesk.domain.quantity` reads them). Anything else gets a
:class:`ValueInputError` whose message tells the person why and what was read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from dxdesk.domain.quantity import NA_MARKS, QuantityError, read_quantity, same_unit
from dxdesk.errors import DxdeskError

__all__ = [
    "NA_MARK",
    "NA_MARKS",
    "Value",
    "ValueInputError",
    "ValueKind",
    "ValueType",
    "format_decimal",
    "format_rate",
    "format_value",
    "normalize_number",
    "normalize_value",
    "with_decimals",
]

NA_MARK = "—"
ACHIEVED_WORDS = frozenset({"達成", "○", "◯", "〇", "済", "完了", "達成済", "済み"})
NOT_ACHIEVED_WORDS = frozenset({"未達成", "×", "✕", "未", "未完了", "未達"})

MAX_INPUT_CHARS = 60  # a number is never longer; protects against pasted essays
MAX_TEXT_CHARS = 200  # a qualitative target such as 「令和8年度以降の移行完了」
MAX_INTEGER_DIGITS = 15


class ValueInputError(DxdeskError, ValueError):
    """Input that cannot become a value. ``str(error)`` is a Japanese message saying what to type."""


class ValueType(StrEnum):
    NUMERIC = "numeric"
    QUALITATIVE = "qualitative"


class ValueKind(StrEnum):
    BLANK = "blank"
    NA = "na"
    NUMBER = "number"
    TEXT = "text"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"


@dataclass(frozen=True)
class Value:
    """One cell. Build with the class methods; compare with ``==``."""

    kind: ValueKind
    number: Decimal | None = None
    text: str | None = None

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def blank(cls) -> Value:
        return _BLANK

    @classmethod
    def na(cls) -> Value:
        return _NA

    @classmethod
    def of(cls, number: Decimal | int | str) -> Value:
        d = number if isinstance(number, Decimal) else Decimal(str(number))
        if not d.is_finite():
            raise ValueInputError("数値として扱えない値です。")
        return cls(ValueKind.NUMBER, number=d)

    @classmethod
    def of_text(cls, text: str) -> Value:
        return cls(ValueKind.TEXT, text=text)

    @classmethod
    def achieved(cls, yes: bool) -> Value:
        return _ACHIEVED if yes else _NOT_ACHIEVED

    # --- predicates ---------------------------------------------------------------------------
    @property
    def is_blank(self) -> bool:
        return self.kind is ValueKind.BLANK

    @property
    def is_na(self) -> bool:
        return self.kind is ValueKind.NA

    @property
    def is_number(self) -> bool:
        return self.kind is ValueKind.NUMBER

    @property
    def is_entered(self) -> bool:
        """Something was entered (a value or 「—」)."""
        return self.kind is not ValueKind.BLANK

    # --- storage ------------------------------------------------------------------------------
    def to_storage(self) -> str | None:
        """The text kept in the database and in payloads (None for blank)."""
        match self.kind:
            case ValueKind.BLANK:
                return None
            case ValueKind.NA:
                return NA_MARK
            case ValueKind.NUMBER:
                assert self.number is not None
                return format(self.number, "f")
            case ValueKind.ACHIEVED:
                return "達成"
            case ValueKind.NOT_ACHIEVED:
                return "未達成"
            case _:
                return self.text

    @classmethod
    def from_storage(cls, stored: str | None, value_type: ValueType | str = ValueType.NUMERIC) -> Value:
        """Inverse of :meth:`to_storage`. Stored text is trusted (it was normalised on entry)."""
        if stored is None or stored == "":
            return _BLANK
        if stored == NA_MARK:
            return _NA
        if stored == "達成":
            return _ACHIEVED
        if stored == "未達成":
            return _NOT_ACHIEVED
        if ValueType(value_type) is ValueType.NUMERIC:
            try:
                return cls.of(Decimal(stored))
            except (InvalidOperation, ValueInputError):
                return cls.of_text(stored)
        return cls.of_text(stored)

    # --- display ------------------------------------------------------------------------------
    def display(self, unit: str = "", *, thousands: bool = True) -> str:
        """「1,570.0」「46.2%」「—」「移行完了」「達成」, or empty for blank."""
        match self.kind:
            case ValueKind.BLANK:
                return ""
            case ValueKind.NA:
                return NA_MARK
            case ValueKind.NUMBER:
                assert self.number is not None
                return format_decimal(self.number, thousands=thousands) + unit
            case ValueKind.ACHIEVED:
                return "達成"
            case ValueKind.NOT_ACHIEVED:
                return "未達成"
            case _:
                return self.text or ""

    def __str__(self) -> str:
        return self.display()


_BLANK = Value(ValueKind.BLANK)
_NA = Value(ValueKind.NA)
_ACHIEVED = Value(ValueKind.ACHIEVED)
_NOT_ACHIEVED = Value(ValueKind.NOT_ACHIEVED)


def format_decimal(d: Decimal, *, thousands: bool = True) -> str:
    """Keep the decimals of ``d``; add thousands separators. Never scientific notation."""
    if not d.is_finite():
        return NA_MARK
    if d == 0:
        d = abs(d)  # no "-0"
    return format(d, ",f" if thousands else "f")


_HUNDRED = Decimal(100)
PERCENT_UNITS = frozenset({"%", "％"})


def with_decimals(d: Decimal, decimals: int | None) -> Decimal:
    """``d`` with ``decimals`` places (rounded half up): 1570.0 with 0 is 1570, 10 with 1 is 10.0;
    unchanged when ``decimals`` is None (the value keeps the decimals typed)."""
    if decimals is None or not d.is_finite():
        return d
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_value(
    v: Value, decimals: int | None = None, unit: str = "", *, with_unit: bool = False, thousands: bool = True
) -> str:
    """A value as a sheet shows it: with the indicator's own ``decimals`` (「1,570」 for a count of
    台 stored as 1570.0, 「0」 for a reference target), 「%」 after a number whose ``unit`` is % (a
    percentage is never a bare 10.0), any other unit only ``with_unit``; 「—」, texts and 達成 as
    :meth:`Value.display`."""
    if not v.is_number:
        return v.display()
    assert v.number is not None
    text = format_decimal(with_decimals(v.number, decimals), thousands=thousands)
    if unit in PERCENT_UNITS:
        return text + "%"
    return text + unit if with_unit else text


def format_rate(rate: Decimal | None, decimals: int = 1) -> str:
    """達成率 with ``decimals`` places (one unless the format prints 「240%」), not capped:
    「240.0%」; undefined is 「—」."""
    if rate is None or not rate.is_finite():
        return NA_MARK
    return f"{format_decimal(with_decimals(rate, decimals))}%"


_SPACES = re.compile(r"[\s\u3000]+")


def _prepare(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", s)


def _is_na_mark(raw: str, prepared: str) -> bool:
    return raw.strip().strip("\u3000") in NA_MARKS or prepared in NA_MARKS


def normalize_number(
    text: object,
    *,
    unit: str = "",
    decimals: int | None = None,
    allow_negative: bool = True,
) -> Decimal | None:
    """Parse a typed number. Blank gives None; 「—」 is not a number here (see :func:`normalize_value`).

    Reads what :func:`dxdesk.domain.quantity.read_quantity` reads (全角, 「1,234」, 「△5」, 累計, 「/年」,
    a unit); a unit other than ``unit`` (when given) is an error. Keeps the decimals typed. Raises
    :class:`ValueInputError`.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueInputError("数値を入力してください。")
    if isinstance(text, int):
        text = str(text)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise ValueInputError("数値として扱えない値です。")
        return text
    if isinstance(text, float):
        raise ValueInputError("小数は文字として入力してください（内部エラー：float）。")
    if not isinstance(text, str):
        raise ValueInputError("数値を入力してください。")
    if len(text) > 4 * MAX_INPUT_CHARS:
        raise ValueInputError(f"数値として長すぎます（{len(text):,}文字）。数字だけを入力してください。")
    s = _prepare(text)
    if s == "":
        return None
    if len(s) > MAX_INPUT_CHARS:
        raise ValueInputError(f"数値として長すぎます（{len(s):,}文字）。数字だけを入力してください。")
    try:
        q = read_quantity(text, unit=unit)
    except QuantityError as exc:
        raise ValueInputError(str(exc)) from exc
    if q.na:
        raise ValueInputError(f"「{text.strip()[:20]}」は数値ではありません。数値を入力してください。")
    if q.number is None:
        return None
    if unit and q.unit and not (same_unit(q.unit, unit) or same_unit(q.full_unit, unit)):
        raise ValueInputError(
            f"単位「{q.full_unit}」がこの指標の単位「{unit}」と違います。数値だけを入力するか、単位を「{unit}」にしてください。"
        )
    d = q.number
    if d < 0 and not allow_negative:
        raise ValueInputError("マイナスの値は入力できません。")
    if decimals is not None:
        exponent = d.as_tuple().exponent
        typed = -exponent if isinstance(exponent, int) else 0
        if typed > decimals:
            raise ValueInputError(
                f"小数点以下は{decimals}桁までです。" if decimals else "整数で入力してください。"
            )
    return d


def normalize_value(
    text: object,
    value_type: ValueType | str = ValueType.NUMERIC,
    *,
    role: str = "actual",
    unit: str = "",
    decimals: int | None = None,
) -> Value:
    """Turn what a person typed into a :class:`Value`.

    ``role`` is "target" or "actual": the actual of a qualitative indicator is 達成 / 未達成, its
    target is free text (「移行完了」). Blank input gives blank; a not-applicable mark gives 「—」.
    """
    if text is None:
        return _BLANK
    if isinstance(text, Value):
        return text
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        if ValueType(value_type) is ValueType.NUMERIC:
            d = normalize_number(text, unit=unit, decimals=decimals)
            return _BLANK if d is None else Value.of(d)
        text = str(text)
    if not isinstance(text, str):
        raise ValueInputError("入力を読み取れません。文字または数字を入力してください。")
    if len(text) > 4 * MAX_TEXT_CHARS:
        raise ValueInputError(f"入力が長すぎます（{len(text):,}文字）。指標の値は短く入力してください。")
    s = _prepare(text)
    if s == "":
        return _BLANK
    if _is_na_mark(text, s):
        return _NA
    if ValueType(value_type) is ValueType.NUMERIC:
        d = normalize_number(text, unit=unit, decimals=decimals)
        return _BLANK if d is None else Value.of(d)
    # qualitative
    if role == "actual":
        if s in ACHIEVED_WORDS:
            return _ACHIEVED
        if s in NOT_ACHIEVED_WORDS:
            return _NOT_ACHIEVED
        raise ValueInputError("定性的な指標の実績は「達成」または「未達成」を入力してください。")
    clean = unicodedata.normalize("NFKC", text).strip()
    if len(clean) > MAX_TEXT_CHARS:
        raise ValueInputError(f"目標の文言は{MAX_TEXT_CHARS}文字以内で入力してください。")
    return Value.of_text(clean)
