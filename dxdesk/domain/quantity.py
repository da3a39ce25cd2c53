"""Reading a quantity as people write it in published plans: 「12.5%/年」「累計8件」「累計 3,210 人」.

One reader for every place a number is typed or imported (the plan master, the dataset import, the
Excel list import, the section application's cells and paste). It returns the number *and* what was
written around it, so the caller can decide what to do with the unit, the period and 累計:

- the number: 全角 digits and signs, spaces inside the number (「3 210」), thousands separators in the
  right places, 「△」「▲」「-」「−」 for negatives, a leading 「+」;
- a unit after the number (「%」「％」「件」「人」「時間」「回」「倍」「千円」「団体」 …: any short word without
  digits);
- a per-period suffix after the unit: 「/年」「/月」「/年度」「/日」「/週」 (also 「／年」 and 「毎年」-less
  forms such as 「年間」 are left to the unit);
- a cumulative mark: 「累計」「累積」 before the number or 「（累計）」 after it;
- 「以上」「以下」「以内」「未満」「超」「程度」「前後」 after it (「50%以上」: 50, with :attr:`Quantity.bound`
  set so the import can say 注意), 「年間」「月間」 before it (a period);
- 「約」 (approximately) before the number: read, with :attr:`Quantity.approximate` set so the import
  can say 注意;
- a year in parentheses after the value (「16団体(R7)」「5団体(R元)」): :attr:`Quantity.year`;
- the not-applicable marks (「—」「－」「/」「該当なし」 …) as the whole cell.

When a cell cannot be read, :class:`QuantityError` says why — the first thing that does not fit —
and what was understood up to there (「累計・3,210・単位「人」まで読み取りました」).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "CUMULATIVE_WORDS",
    "NA_MARKS",
    "Quantity",
    "QuantityError",
    "read_quantity",
    "same_unit",
]

# Marks that mean "not applicable" when they are the whole cell (checked before and after NFKC).
NA_MARKS = frozenset({"—", "―", "－", "-", "‐", "‑", "–", "−", "─", "ー", "/", "／", "該当なし", "対象外"})
CUMULATIVE_WORDS = ("累計", "累積")
APPROXIMATE_WORDS = ("約", "およそ", "概ね", "おおむね")
NEGATIVE_SIGNS = "△▲-−‐‑–ー"
PERIOD_WORDS = ("年度", "年", "月", "日", "週")

MAX_INPUT_CHARS = 60  # a quantity is never longer; protects against pasted essays
MAX_UNIT_CHARS = 10
MAX_INTEGER_DIGITS = 15

_SPACES = re.compile(r"[\s\u3000]+")
_FAST = re.compile(r"^-?(?:[1-9]\d{0,14}|0)(?:\.\d+)?$")
_NUMBER = re.compile(r"(?:\d[\d,]*(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_PLAIN = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_YEAR_AFTER = re.compile(
    r"\(((?:R|H|令和|平成)(?:\d{1,2}|元)(?:年度|年)?(?:末)?|(?:19|20)\d\d(?:年度|年)?(?:末)?)\)$"
)
_CUMULATIVE_AFTER = re.compile(r"\((?:累計|累積)(?:値)?\)$")
_PER = re.compile(r"/([^/]{1,6})$")
# Units that are not a plain word of kanji or katakana (those are always units: 件, 時間, 千円, ポイント).
KNOWN_UNITS = frozenset(
    {
        "%",
        "‰",
        "か所",
        "カ所",
        "ヶ所",
        "ケ所",
        "箇所",
        "か月",
        "カ月",
        "ヶ月",
        "ケ月",
        "人日",
        "人月",
        "kg",
        "g",
        "t",
        "km",
        "m",
        "m2",
        "m3",
        "km2",
        "ha",
        "kWh",
        "MWh",
        "kW",
        "GB",
        "TB",
        "MB",
        "pt",
        "ppm",
        "Mbps",
        "Gbps",
        "ID",
        "PC",
        "名様",
        "つ",
        "ページ",
        "こと",
    }
)
BOUND_WORDS = ("以上", "以下", "以内", "未満", "超", "程度", "前後")
MAGNITUDE_WORDS = frozenset({"十", "百", "千", "万", "十万", "百万", "千万", "億"})
_WORD_UNIT = re.compile(r"^[\u4e00-\u9fff\u3005\u30a0-\u30ffー々〆ヵヶ]{1,8}$")


class QuantityError(ValueError):
    """Text that cannot be read as a quantity. ``str(error)`` is Japanese: why, and what was read."""

    def __init__(self, message: str, understood: str = "") -> None:
        super().__init__(message)
        self.reason = message
        self.understood = understood


@dataclass(frozen=True)
class Quantity:
    """What one cell says: blank, not applicable, or a number with what was written around it."""

    number: Decimal | None = None  # None: blank or not applicable
    na: bool = False
    unit: str = ""  # after NFKC: 「%」 for 「％」; "" when none was written
    per: str = ""  # 「年」「月」…: the period of 「/年」
    cumulative: bool = False
    approximate: bool = False
    year: str = ""  # 「16団体(R7)」: the year written after the value, as written (「R7」)
    bound: str = ""  # 「50%以上」: 以上 / 以下 / 未満 / 超 / 程度 written after the value
    notes: tuple[str, ...] = field(default=())

    @property
    def is_blank(self) -> bool:
        return self.number is None and not self.na

    @property
    def full_unit(self) -> str:
        """The unit as one word, with its period: 「時間/年」."""
        return f"{self.unit}/{self.per}" if self.per else self.unit

    def warnings(self) -> list[str]:
        """注意 a person should read about this cell (currently: 「約」)."""
        out: list[str] = []
        if self.approximate:
            out.append(f"「約」の付いた概数です。{_shown(self.number)}として読み取りました。")
        if self.bound:
            out.append(f"「{self.bound}」は読み込まず、{_shown(self.number)}として読み取りました。")
        return out


def _shown(d: Decimal | None) -> str:
    return "" if d is None else format(d, ",f")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def normal_unit(unit: str) -> str:
    """A unit as compared: NFKC, no spaces, 「/」 for 「／」 and 「毎」."""
    return _SPACES.sub("", _nfkc(unit or ""))


def same_unit(a: str, b: str) -> bool:
    """「%」 and 「％」, 「時間/年」 and 「時間／年」 are the same unit."""
    return normal_unit(a) == normal_unit(b)


def _understood(parts: list[str]) -> str:
    return "・".join(p for p in parts if p)


def _fail(reason: str, parts: list[str], shown: str) -> QuantityError:
    understood = _understood(parts)
    message = f"「{shown}」は数値として読み取れません。{reason}"
    if understood:
        message += f"（「{understood}」まで読み取りました）"
    return QuantityError(message, understood)


def is_unit(word: str, expected: str = "") -> bool:
    """A unit written after a number: a known unit, the indicator's own, or a word of kanji/katakana."""
    if not word:
        return True
    if expected and (same_unit(word, expected) or same_unit(word, expected.split("/")[0])):
        return True
    return word in KNOWN_UNITS or bool(_WORD_UNIT.match(word))


def read_quantity(text: object, *, unit: str = "") -> Quantity:
    """Read a quantity as a person wrote it. Blank gives ``Quantity()``; raises :class:`QuantityError`.

    ``int`` and ``Decimal`` pass through; ``float`` is refused (binary floats are converted by the
    callers that get them from Excel, which know the decimals)."""
    if text is None:
        return Quantity()
    if isinstance(text, bool):
        raise QuantityError("数値を入力してください。")
    if isinstance(text, int):
        return Quantity(Decimal(text))
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise QuantityError("数値として扱えない値です。")
        return Quantity(text)
    if isinstance(text, float):
        raise QuantityError("小数は文字として入力してください（内部エラー：float）。")
    if not isinstance(text, str):
        raise QuantityError("数値を入力してください。")
    if len(text) > 4 * MAX_INPUT_CHARS:
        raise QuantityError(f"数値として長すぎます（{len(text):,}文字）。数字と単位だけを入力してください。")
    if _FAST.match(text):  # 「12.5」「1234」: most cells
        return Quantity(Decimal(text))
    raw = text.strip().strip("\u3000")
    s = _SPACES.sub("", _nfkc(text))
    if s == "":
        return Quantity()
    if raw in NA_MARKS or s in NA_MARKS:
        return Quantity(na=True)
    if len(s) > MAX_INPUT_CHARS:
        raise QuantityError(f"数値として長すぎます（{len(s):,}文字）。数字と単位だけを入力してください。")
    parts: list[str] = []
    shown = raw[:20] + ("…" if len(raw) > 20 else "")
    cumulative = approximate = negative = False
    # --- before the number: 累計, 約, the sign, in any order, each once --------------------------
    progressed = True
    while progressed and s:
        progressed = False
        for word in CUMULATIVE_WORDS:
            if s.startswith(word) and not cumulative:
                cumulative, s, progressed = True, s[len(word) :], True
                parts.append(word)
        for word in APPROXIMATE_WORDS:
            if s.startswith(word) and not approximate:
                approximate, s, progressed = True, s[len(word) :], True
                parts.append("約")
        if s and s[0] in NEGATIVE_SIGNS and not negative and len(s) > 1:
            negative, s, progressed = True, s[1:], True
            parts.append("マイナス")
        elif s.startswith("+") and len(s) > 1:
            s, progressed = s[1:], True
        if s.startswith(":"):  # 「累計：8件」
            s, progressed = s[1:], True
    # --- after the number: 「(累計)」 --------------------------------------------------------------
    per_before = ""
    for word, period in (("年間", "年"), ("月間", "月"), ("毎年", "年"), ("毎月", "月")):
        if s.startswith(word):
            per_before, s = period, s[len(word) :]
            break
    bound = ""
    for word in BOUND_WORDS:
        if s.endswith(word) and any(ch.isdigit() for ch in s[: -len(word)]):
            bound, s = word, s[: -len(word)]
            break
    year = ""
    tail_year = _YEAR_AFTER.search(s)
    if tail_year and any(ch.isdigit() for ch in s[: tail_year.start()]):
        year, s = tail_year.group(1), s[: tail_year.start()]
    tail_cumulative = _CUMULATIVE_AFTER.search(s)
    if tail_cumulative:
        s = s[: tail_cumulative.start()]
        cumulative = True
    # --- the number ----------------------------------------------------------------------------
    m = _NUMBER.match(s)
    if m is None:
        if s and s[0].isdigit() is False and any(ch.isdigit() for ch in s):
            first = s[0]
            raise _fail(f"数字の前に読めない文字「{first}」があります。", parts, shown)
        raise _fail("数字がありません。数値（例：「12.5」「1,234」）を入力してください。", parts, shown)
    digits = m.group(0)
    rest = s[m.end() :]
    if digits.endswith(","):
        digits, rest = digits[:-1], "," + rest
    if "," in digits:
        if not _GROUPED.match(digits):
            raise _fail(
                f"桁区切りのカンマの位置が正しくありません（「{digits}」。例：「1,234」）。",
                parts,
                shown,
            )
        digits = digits.replace(",", "")
    if not _PLAIN.match(digits):
        raise _fail(f"数字の形が正しくありません（「{digits}」）。", parts, shown)
    if digits.endswith("."):
        digits = digits[:-1]
    if digits.startswith("."):
        digits = "0" + digits
    if len(digits.split(".")[0].lstrip("0")) > MAX_INTEGER_DIGITS:
        raise _fail("数値の桁数が多すぎます。", parts, shown)
    number = Decimal(digits)
    if negative:
        number = -number
    parts.append(format(number, ",f"))
    # --- unit and period -----------------------------------------------------------------------
    per = ""
    expected = normal_unit(unit)
    if expected and rest == expected:
        return Quantity(
            number=number,
            unit=rest,
            per=per_before,
            cumulative=cumulative,
            approximate=approximate,
            year=year,
            bound=bound,
        )
    pm = _PER.search(rest)
    if pm and is_unit(pm.group(1)):
        per = pm.group(1)
        rest = rest[: pm.start()]
    if rest.startswith(".") or rest.startswith(","):
        raise _fail(
            f"数値のあとの「{rest[:10]}」が読み取れません（小数点やカンマは数字の間にだけ使えます）。",
            parts,
            shown,
        )
    if rest not in KNOWN_UNITS and any(ch.isdigit() for ch in rest):
        raise _fail(
            f"数値のあとに数字を含む「{rest[:10]}」があります。一つのセルには一つの数値を入力してください。",
            parts,
            shown,
        )
    if len(rest) > MAX_UNIT_CHARS:
        raise _fail(
            f"単位が長すぎます（「{rest[:12]}…」）。単位は{MAX_UNIT_CHARS}文字までです。", parts, shown
        )
    if rest in MAGNITUDE_WORDS:
        raise _fail(
            f"「{rest}」は単位ではなく桁の呼び方です。数字で入力してください（例：「120,000」）。",
            parts,
            shown,
        )
    if not is_unit(rest, expected):
        hint = f"この指標の単位は「{unit}」です。" if unit else ""
        raise _fail(f"数値のあとの「{rest}」は単位として読み取れません。{hint}", parts, shown)
    return Quantity(
        number=number,
        unit=rest,
        per=per or (per_before if rest else ""),
        cumulative=cumulative,
        approximate=approximate,
        year=year,
        bound=bound,
    )
