"""Fiscal years (年度) and Japanese eras, in one place.

A Japanese fiscal year runs from April 1 to March 31 and is named after the calendar year it starts
in: FY2026 = 令和8年度 = R8 (April 2026 – March 2027). Era names follow the calendar year the fiscal
year starts in, so FY2019 is 令和元年度 for display, while 平成31年度 is accepted on input as the same
year (April 2019 was still Heisei). Everything that turns a fiscal year into text or back goes through
this module; nothing else in the code knows about eras.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from dxdesk.errors import DxdeskError

__all__ = [
    "ERAS",
    "JST",
    "Era",
    "FiscalYear",
    "FiscalYearError",
    "file_timestamp",
    "fy_label",
    "fy_short",
    "parse_fiscal_year",
    "parse_period",
    "survey_years",
]


JST = timezone(timedelta(hours=9), "JST")


def file_timestamp(text: object) -> datetime | None:
    """A time a signed file carries as ISO 8601 text (「2026-06-30T01:02:03Z」) as an aware datetime (UTC
    when the text names no zone); None for anything else, blank or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


"""Japan Standard Time: every date and time a person reads (files, slips, sheets, notes) is shown in it."""


class FiscalYearError(DxdeskError, ValueError):
    """Text that is not a fiscal year. ``str(error)`` is a Japanese message for the user."""


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    initial: str  # R
    first_year: int  # calendar year of 元年
    last_year: int | None  # calendar year of the last year, None for the current era

    def year_of(self, gregorian: int) -> int:
        return gregorian - self.first_year + 1


# Newest first. Showa is kept for legal bases and 事業期間 such as 「S63-」.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", 2019, None),
    Era("平成", "H", 1989, 2019),
    Era("昭和", "S", 1926, 1989),
)
_BY_NAME = {e.name: e for e in ERAS} | {e.initial: e for e in ERAS}

MIN_YEAR = 1926
MAX_YEAR = 2200


def _era_for(gregorian: int) -> Era:
    for era in ERAS:
        if gregorian >= era.first_year:
            return era
    raise FiscalYearError(f"{gregorian}年度は扱えません（{MIN_YEAR}年度以降を指定してください）。")


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A fiscal year, identified by the calendar year in which it starts (FY2026 = 令和8年度)."""

    year: int

    def __post_init__(self) -> None:
        if not isinstance(self.year, int) or isinstance(self.year, bool):
            raise FiscalYearError("年度は整数で指定してください。")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise FiscalYearError(f"{self.year}年度は範囲外です（{MIN_YEAR}〜{MAX_YEAR}年度）。")

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def of_date(cls, day: date) -> FiscalYear:
        """The fiscal year containing ``day`` (January–March belong to the previous year's FY)."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str | int) -> FiscalYear:
        return cls(parse_fiscal_year(text))

    # --- properties ---------------------------------------------------------------------------
    @property
    def era(self) -> Era:
        return _era_for(self.year)

    @property
    def era_year(self) -> int:
        return self.era.year_of(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)

    # --- display ------------------------------------------------------------------------------
    def label(self) -> str:
        """「令和8年度」, 「令和元年度」."""
        n = self.era_year
        return f"{self.era.name}{'元' if n == 1 else n}年度"

    def short(self) -> str:
        """「R8」."""
        return f"{self.era.initial}{self.era_year}"

    def short2(self) -> str:
        """「R08」, for file names that must sort."""
        return f"{self.era.initial}{self.era_year:02d}"

    def __add__(self, years: int) -> FiscalYear:
        return FiscalYear(self.year + years)

    def __sub__(self, years: int) -> FiscalYear:
        return FiscalYear(self.year - years)

    def __str__(self) -> str:
        return self.label()


def fy_label(year: int) -> str:
    """「令和8年度」 for FY2026."""
    return FiscalYear(year).label()


def years_up_to(fiscal_year: int, count: int) -> list[int]:
    """The ``count`` fiscal years that end with ``fiscal_year`` (at least that year), oldest first: the
    columns of a table that shows a sheet's year and the years before it."""
    return list(range(fiscal_year - max(1, count) + 1, fiscal_year + 1))


def survey_years(
    period_start: int | None, period_end: int | None, current: int | None, today: date | None = None
) -> tuple[int, list[int]]:
    """The survey year of a plan and the years a screen offers, newest first.

    The survey year is the plan's ``current_fy``, else the end of its period, else its start, else the
    fiscal year of ``today``. The years run from the survey year back to the start of the period (five
    years back when the plan has no period start); years after the survey year are not offered.
    """
    survey = current or period_end or period_start or FiscalYear.of_date(today or date.today()).year
    first = min(period_start or survey - 5, survey)
    return survey, list(range(survey, first - 1, -1))


def fy_short(year: int) -> str:
    """「R8」 for FY2026."""
    return FiscalYear(year).short()


_ERA_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|[RHS])\s*(?P<num>元|\d{1,2})\s*(?:年度|年)?$",
    re.IGNORECASE,
)
_GREG_RE = re.compile(r"^(?:FY)?\s*(?P<num>\d{4})\s*(?:年度|年)?$", re.IGNORECASE)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace("　", "").replace(" ", "")


def parse_fiscal_year(text: str | int) -> int:
    """Parse 「令和8年度」「R8」「R08」「Ｒ８」「令和元年度」「平成31年度」「2026年度」「FY2026」「2026」.

    Returns the calendar year the fiscal year starts in. Raises :class:`FiscalYearError` with a
    Japanese message on anything else, including era years that never existed (平成32年度).
    """
    if isinstance(text, bool):
        raise FiscalYearError("年度を読み取れません。")
    if isinstance(text, int):
        return FiscalYear(text).year
    if not isinstance(text, str):
        raise FiscalYearError("年度を読み取れません。")
    if len(text) > 40:
        raise FiscalYearError(
            "年度として長すぎる文字列です。「令和8年度」「R8」「2026」のように入力してください。"
        )
    s = _clean(text)
    m = _ERA_RE.match(s)
    if m:
        era = _BY_NAME[m.group("era").upper() if len(m.group("era")) == 1 else m.group("era")]
        n = 1 if m.group("num") == "元" else int(m.group("num"))
        if n < 1:
            raise FiscalYearError(f"「{text}」は年度として正しくありません。")
        year = era.first_year + n - 1
        if era.last_year is not None and year > era.last_year:
            now = _era_for(year)
            raise FiscalYearError(
                f"{era.name}{n}年度は存在しません。{now.name}{now.year_of(year)}年度"
                f"（{year}年度）のことであれば「{now.initial}{now.year_of(year)}」と入力してください。"
            )
        return FiscalYear(year).year
    m = _GREG_RE.match(s)
    if m:
        return FiscalYear(int(m.group("num"))).year
    raise FiscalYearError(
        f"「{text[:20]}」を年度として読み取れません。「令和8年度」「R8」「2026」のように入力してください。"
    )


_PERIOD_RE = re.compile(
    r"^(?:\((?:R\d+)?新規\))?(?P<era>[RHS]|令和|平成|昭和)?(?P<a>元|\d{1,4})\s*[-–~〜～]\s*(?P<b>元|\d{1,4})?$",
    re.IGNORECASE,
)


def parse_period(text: str) -> tuple[int | None, int | None]:
    """Parse a 事業期間 such as 「R2-7」「H13-」「R3-R5」「2021-2025」「毎年度」.

    Returns (start year, end year); None means open. 「毎年度」 and empty text are (None, None).
    """
    s = _clean(text or "")
    if s in ("", "毎年度", "-", "—", "－"):
        return (None, None)
    s = re.sub(r"(?<=[-–~〜～])(?:令和|平成|昭和|[RHS])", "", s, flags=re.IGNORECASE)
    m = _PERIOD_RE.match(s)
    if not m:
        raise FiscalYearError(f"「{text[:20]}」を事業期間として読み取れません（例：「R2-7」「H13-」）。")
    era_txt = m.group("era")
    a_txt, b_txt = m.group("a"), m.group("b")
    if era_txt:
        start = parse_fiscal_year(f"{era_txt}{a_txt}")
        end = None if b_txt is None else parse_fiscal_year(f"{_era_for(start).initial}{b_txt}")
        # 「H30-R2」 style ends were rewritten above to the start's era; fix crossing eras.
        if end is not None and end < start:
            end = parse_fiscal_year(f"{ERAS[0].initial}{b_txt}")
    else:
        start = parse_fiscal_year(a_txt)
        end = None if b_txt is None else parse_fiscal_year(b_txt)
    if end is not None and end < start:
        raise FiscalYearError(f"事業期間「{text[:20]}」の終了年度が開始年度より前です。")
    return (start, end)
