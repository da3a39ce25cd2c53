"""Fiscal years and Japanese eras, both ways (令和元年度 = 平成31年度 = FY2019, R8 = FY2026)."""

import datetime as dt
from datetime import date

import pytest

from dxdesk.domain.fiscal import (
    FiscalYear,
    FiscalYearError,
    fy_label,
    fy_short,
    parse_fiscal_year,
    parse_period,
)

PARSE_CASES = [
    ("令和8年度", 2026),
    ("R8", 2026),
    ("R08", 2026),
    ("r8", 2026),
    ("Ｒ８", 2026),
    ("令和８年度", 2026),
    ("令和 5年度", 2023),  # Tsukuba writes 「令和 5年度」
    ("令和元年度", 2019),
    ("R元", 2019),
    ("平成31年度", 2019),
    ("H31", 2019),
    ("平成30年度", 2018),
    ("平成元年度", 1989),
    ("H13", 2001),
    ("昭和63年度", 1988),
    ("2026年度", 2026),
    ("2026", 2026),
    ("FY2026", 2026),
    ("２０２６年度", 2026),
    (2026, 2026),
]


@pytest.mark.parametrize(("text", "year"), PARSE_CASES)
def test_parse(text, year):
    assert parse_fiscal_year(text) == year


DISPLAY_CASES = [
    (2026, "令和8年度", "R8", "R08"),
    (2019, "令和元年度", "R1", "R01"),
    (2018, "平成30年度", "H30", "H30"),
    (1989, "平成元年度", "H1", "H01"),
    (1988, "昭和63年度", "S63", "S63"),
    (2021, "令和3年度", "R3", "R03"),
]


@pytest.mark.parametrize(("year", "label", "short", "short2"), DISPLAY_CASES)
def test_display(year, label, short, short2):
    fy = FiscalYear(year)
    assert fy.label() == label == fy_label(year)
    assert fy.short() == short == fy_short(year)
    assert fy.short2() == short2
    assert parse_fiscal_year(label) == year
    assert parse_fiscal_year(short) == year


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 4, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2026, 3, 31), 2025),
        (date(2019, 4, 30), 2019),
    ],
)
def test_of_date(day, year):
    assert FiscalYear.of_date(day).year == year


def test_boundaries():
    fy = FiscalYear(2026)
    assert fy.start == date(2026, 4, 1)
    assert fy.end == date(2027, 3, 31)
    assert (fy + 1).short() == "R9"
    assert (fy - 7).label() == "令和元年度"


@pytest.mark.parametrize(
    "text",
    [
        "平成32年度",
        "H32",
        "令和0年度",
        "R",
        "来年度",
        "",
        "2026年度年度",
        "1800",
        "x" * 40_000,
        None,
        True,
        3.5,
    ],
)
def test_bad_input_is_a_typed_error(text):
    with pytest.raises(FiscalYearError) as err:
        parse_fiscal_year(text)  # type: ignore[arg-type]
    assert str(err.value)  # a Japanese message, not an empty error


def test_heisei_32_message_points_to_reiwa():
    with pytest.raises(FiscalYearError, match="令和2年度"):
        parse_fiscal_year("平成32年度")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("R2-7", (2020, 2025)),
        ("H13-", (2001, None)),
        ("R2-", (2020, None)),
        ("R3-R5", (2021, 2023)),
        ("H30-R2", (2018, 2020)),
        ("(R3新規)R3-5", (2021, 2023)),
        ("2021-2025", (2021, 2025)),
        ("毎年度", (None, None)),
        ("", (None, None)),
    ],
)
def test_period(text, period):
    assert parse_period(text) == period


def test_period_error():
    with pytest.raises(FiscalYearError):
        parse_period("R7-3")


@pytest.mark.parametrize(
    ("start", "end", "current", "survey", "years"),
    [
        (2022, 2026, 2026, 2026, [2026, 2025, 2024, 2023, 2022]),  # the usual plan
        (2022, 2026, 2024, 2024, [2024, 2023, 2022]),  # years after the survey year are not offered
        (None, None, 2026, 2026, [2026, 2025, 2024, 2023, 2022, 2021]),  # no period: five years back
        (2022, 2026, None, 2026, [2026, 2025, 2024, 2023, 2022]),  # no survey year: the period's end
        (2027, None, None, 2027, [2027]),  # only a start
        (None, None, None, 2025, [2025, 2024, 2023, 2022, 2021, 2020]),  # nothing: today's fiscal year
    ],
)
def test_survey_years(start, end, current, survey, years):
    from datetime import date

    from dxdesk.domain.fiscal import survey_years

    assert survey_years(start, end, current, today=date(2026, 3, 31)) == (survey, years)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-30T01:02:03Z", dt.datetime(2026, 6, 30, 1, 2, 3, tzinfo=dt.UTC)),
        ("2026-06-30T10:02:03+09:00", dt.datetime(2026, 6, 30, 1, 2, 3, tzinfo=dt.UTC)),
        ("2026-06-30T01:02:03", dt.datetime(2026, 6, 30, 1, 2, 3, tzinfo=dt.UTC)),  # no zone: UTC
        ("令和8年6月30日", None),
        ("", None),
        (None, None),
        (20260630, None),
    ],
)
def test_a_files_timestamp_is_read_as_an_aware_time(text, expected):
    from dxdesk.domain.fiscal import file_timestamp

    value = file_timestamp(text)
    assert value == expected
    assert value is None or value.tzinfo is not None


@pytest.mark.parametrize(
    ("fiscal_year", "count", "years"),
    [
        (2026, 3, [2024, 2025, 2026]),  # a sheet of R8 showing three years: R6, R7, R8
        (2026, 1, [2026]),
        (2019, 2, [2018, 2019]),  # across the era change: H30, R元
        (2026, 0, [2026]),  # never an empty table: the sheet's own year at least
    ],
)
def test_years_up_to_a_sheets_year(fiscal_year, count, years):
    from dxdesk.domain.fiscal import years_up_to

    assert years_up_to(fiscal_year, count) == years
