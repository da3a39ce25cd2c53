"""Quantities as published plans write them: 「12.5%/年」「累計8件」「累計 3,210 人」「2,400 時間/年」."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxdesk.domain.quantity import Quantity, QuantityError, read_quantity
from dxdesk.domain.values import ValueInputError, normalize_number, normalize_value

FULLWIDTH = str.maketrans("0123456789.,%-+", "０１２３４５６７８９．，％－＋")


@pytest.mark.parametrize(
    ("typed", "number", "unit", "per", "cumulative"),
    [
        ("12.5%/年", "12.5", "%", "年", False),
        ("累計8件", "8", "件", "", True),
        ("累計 3,210 人", "3210", "人", "", True),
        ("2,400 時間/年", "2400", "時間", "年", False),
        ("30.0％", "30.0", "%", "", False),
        ("10倍", "10", "倍", "", False),
        ("1,234千円", "1234", "千円", "", False),
        ("△5回", "-5", "回", "", False),
        ("▲1.5", "-1.5", "", "", False),
        ("１２．５％／年", "12.5", "%", "年", False),
        ("3 210", "3210", "", "", False),
        ("累積：16団体", "16", "団体", "", True),
        ("1,800件（累計）", "1800", "件", "", True),
        ("12か所", "12", "か所", "", False),
        ("500円/人", "500", "円", "人", False),
        ("46.2 ％", "46.2", "%", "", False),
    ],
)
def test_published_values_are_read_with_their_unit(typed, number, unit, per, cumulative):
    q = read_quantity(typed)
    assert q.number == Decimal(number) and str(q.number) == number  # the decimals typed are kept
    assert (q.unit, q.per, q.cumulative, q.approximate) == (unit, per, cumulative, False)


def test_approximate_is_read_and_said():
    q = read_quantity("約 1,200人")
    assert q.number == Decimal(1200) and q.approximate and q.unit == "人"
    assert q.warnings() == ["「約」の付いた概数です。1,200として読み取りました。"]


@pytest.mark.parametrize("mark", ["—", "－", "―", "/", "／", "該当なし", "対象外", " - "])
def test_not_applicable_marks(mark):
    assert read_quantity(mark) == Quantity(na=True)


@pytest.mark.parametrize("blank", [None, "", "  ", "\u3000"])
def test_blank(blank):
    assert read_quantity(blank).is_blank


def test_a_bad_unit_is_blamed_not_the_thousands_separator():
    with pytest.raises(QuantityError) as err:
        read_quantity("累計 3,210 人ほど")
    message = str(err.value)
    assert "カンマ" not in message
    assert "「人ほど」は単位として読み取れません" in message
    assert "「累計・3,210」まで読み取りました" in message
    assert err.value.understood == "累計・3,210"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1,23件", "桁区切りのカンマの位置"),
        ("12.5.3%", "小数点やカンマは数字の間にだけ"),
        ("12件と3件", "数字を含む「件と3件」"),
        ("abc", "数字がありません"),
        ("累計", "数字がありません"),
        ("12a", "「a」は単位として読み取れません"),
        ("約x12", "数字の前に読めない文字「x」"),
    ],
)
def test_errors_say_why(typed, says):
    with pytest.raises(QuantityError) as err:
        read_quantity(typed)
    assert says in str(err.value)
    assert str(err.value).startswith(f"「{typed}」は数値として読み取れません。")


def test_the_indicators_unit_is_accepted_and_another_one_refused_by_the_entry_cells():
    assert normalize_number("累計 3,210 人", unit="人") == Decimal(3210)
    assert normalize_number("12.5%/年", unit="%") == Decimal("12.5")
    assert normalize_number("2,400 時間/年", unit="時間/年") == Decimal(2400)
    assert normalize_value("30.0％", unit="%").to_storage() == "30.0"
    with pytest.raises(ValueInputError, match="単位「人」がこの指標の単位「件」と違います"):
        normalize_number("3,210人", unit="件")


units = st.sampled_from(["", "%", "件", "人", "時間", "回", "倍", "千円", "団体", "か所"])
periods = st.sampled_from(["", "年", "月"])
numbers = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False)


@given(numbers, units, periods, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_any_published_form_reads_back(d, unit, per, cumulative, approx, grouped, fullwidth, triangle):
    body = format(abs(d), ",f" if grouped else "f")
    sign = ("△" if triangle else "-") if d < 0 else ""
    text = ("累計 " if cumulative else "") + ("約" if approx else "") + sign + body + " " + unit
    if per and unit:
        text += "/" + per
    if fullwidth:
        text = text.translate(FULLWIDTH)
    q = read_quantity(text)
    assert q.number == d
    assert q.unit == unit and q.per == (per if unit else "")
    assert q.cumulative is cumulative and q.approximate is approx


@given(st.text(max_size=80))
def test_any_text_gives_a_quantity_or_a_reason(text):
    try:
        q = read_quantity(text)
    except QuantityError as err:
        assert (str(err).startswith("「") and "読み取れません" in str(err)) or "長すぎ" in str(err)
    else:
        assert q.is_blank or q.na or q.number is not None
        if q.number is not None:
            # what was read reads back the same when written in normal form
            again = read_quantity(format(q.number, "f") + q.unit + (f"/{q.per}" if q.per else ""))
            assert (again.number, again.unit, again.per) == (q.number, q.unit, q.per)


def test_a_year_after_the_value_is_kept_apart():
    q = read_quantity("16団体(R7)")
    assert (q.number, q.unit, q.year) == (Decimal(16), "団体", "R7")
    q = read_quantity("1,515件（R元）")
    assert (q.number, q.unit, q.year) == (Decimal(1515), "件", "R元")


@pytest.mark.parametrize(
    ("typed", "number", "unit", "per", "bound"),
    [
        ("50%以上", "50", "%", "", "以上"),
        ("10分以内", "10", "分", "", "以内"),
        ("3,000人程度", "3000", "人", "", "程度"),
        ("年間120件", "120", "件", "年", ""),
        ("月間 40 時間", "40", "時間", "月", ""),
    ],
)
def test_bounds_and_periods_written_around_the_number(typed, number, unit, per, bound):
    q = read_quantity(typed)
    assert (q.number, q.unit, q.per, q.bound) == (Decimal(number), unit, per, bound)
    if bound:
        assert q.warnings() == [
            f"「{bound}」は読み込まず、{format(Decimal(number), ',f')}として読み取りました。"
        ]
