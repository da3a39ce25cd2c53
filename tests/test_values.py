"""Input normalisation: what clerks type becomes the right Value, or a clear Japanese error."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxdesk.domain.values import (
    NA_MARK,
    Value,
    ValueInputError,
    ValueKind,
    ValueType,
    format_decimal,
    format_rate,
    normalize_number,
    normalize_value,
)

Q = ValueType.QUALITATIVE

NUMBER_CASES = [
    ("123", "123"),
    ("１２３", "123"),
    ("1,234", "1234"),
    ("１，２３４", "1234"),
    ("1,570.0", "1570.0"),
    ("280.0", "280.0"),  # keeps the typed decimal
    ("0.50", "0.50"),
    ("△5", "-5"),
    ("▲1,000", "-1000"),
    ("-5", "-5"),
    ("－５", "-5"),
    ("−3.5", "-3.5"),
    (" 42 ", "42"),
    ("\u3000４２\u3000", "42"),
    ("46.2%", "46.2"),
    ("４６．２％", "46.2"),
    (".5", "0.5"),
    ("+7", "7"),
    ("3,944,938", "3944938"),
    ("7,089.34", "7089.34"),
]


@pytest.mark.parametrize(("typed", "stored"), NUMBER_CASES)
def test_numbers(typed, stored):
    v = normalize_value(typed)
    assert v.kind is ValueKind.NUMBER
    assert v.to_storage() == stored
    assert str(v.number) == stored  # Decimal keeps the exponent typed


@pytest.mark.parametrize("mark", ["—", "－", "―", "/", "／", "-", "ー", "該当なし", " — "])
def test_not_applicable_marks(mark):
    v = normalize_value(mark)
    assert v.is_na and v.to_storage() == NA_MARK
    assert v != Value.blank()


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_blank_is_not_not_applicable(blank):
    v = normalize_value(blank)
    assert v.is_blank and v.to_storage() is None
    assert not v.is_entered


@pytest.mark.parametrize(
    ("typed", "unit", "stored"),
    [("16団体", "団体", "16"), ("１６団体", "団体", "16"), ("3.0分", "分", "3.0"), ("2,108台", "台", "2108")],
)
def test_trailing_unit(typed, unit, stored):
    assert normalize_value(typed, unit=unit).to_storage() == stored


@pytest.mark.parametrize(
    "typed",
    ["abc", "12a", "1,23", "1,2345", "1.2.3", "1e5", "５件ほど", "12 34x", "Infinity", "NaN", "%", "△"],
)
def test_non_numeric_text_is_a_typed_error(typed):
    with pytest.raises(ValueInputError) as err:
        normalize_value(typed)
    assert "入力" in str(err.value) or "数値" in str(err.value) or "カンマ" in str(err.value)


def test_forty_thousand_characters_is_an_error_not_a_hang():
    with pytest.raises(ValueInputError, match="長すぎ"):
        normalize_value("1" * 40_000)
    with pytest.raises(ValueInputError, match="長すぎ"):
        normalize_value("あ" * 40_000, Q, role="target")


def test_too_many_digits():
    with pytest.raises(ValueInputError):
        normalize_value("9" * 30)


def test_decimals_limit():
    assert normalize_number("1.25", decimals=2) == Decimal("1.25")
    with pytest.raises(ValueInputError, match="2桁"):
        normalize_number("1.255", decimals=2)
    with pytest.raises(ValueInputError, match="整数"):
        normalize_number("1.5", decimals=0)


def test_negative_not_allowed_when_said_so():
    with pytest.raises(ValueInputError, match="マイナス"):
        normalize_number("△5", allow_negative=False)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("達成", ValueKind.ACHIEVED),
        ("○", ValueKind.ACHIEVED),
        ("完了", ValueKind.ACHIEVED),
        ("未達成", ValueKind.NOT_ACHIEVED),
        ("×", ValueKind.NOT_ACHIEVED),
        ("—", ValueKind.NA),
        ("", ValueKind.BLANK),
    ],
)
def test_qualitative_actual(typed, kind):
    assert normalize_value(typed, Q, role="actual").kind is kind


def test_qualitative_actual_rejects_free_text():
    with pytest.raises(ValueInputError, match="達成"):
        normalize_value("たぶん", Q, role="actual")


def test_qualitative_target_keeps_text():
    v = normalize_value("令和8年度以降の移行完了", Q, role="target")
    assert v.kind is ValueKind.TEXT and v.text == "令和8年度以降の移行完了"


def test_non_string_inputs():
    assert normalize_value(5).to_storage() == "5"
    assert normalize_value(Decimal("2.50")).to_storage() == "2.50"
    with pytest.raises(ValueInputError):
        normalize_value(1.5)  # floats never enter
    with pytest.raises(ValueInputError):
        normalize_value(object())  # type: ignore[arg-type]
    with pytest.raises(ValueInputError):
        normalize_number(True)  # type: ignore[arg-type]


def test_display():
    assert Value.of("1570.0").display() == "1,570.0"
    assert Value.of("46.2").display("%") == "46.2%"
    assert Value.na().display() == "—"
    assert Value.blank().display() == ""
    assert format_decimal(Decimal("-0")) == "0"
    assert format_decimal(Decimal("1E+3")) == "1,000"


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (Decimal(240), "240.0%"),
        (Decimal("75.33333"), "75.3%"),
        (Decimal("99.95"), "100.0%"),
        (None, "—"),
        (Decimal("9333.333"), "9,333.3%"),
    ],
)
def test_format_rate(rate, shown):
    assert format_rate(rate) == shown


# --- property tests ---------------------------------------------------------------------------------

decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=3
)
FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


@given(decimals)
def test_storage_round_trip(d):
    v = Value.of(d)
    assert Value.from_storage(v.to_storage()) == v


@given(decimals)
def test_display_then_retype_gives_the_same_number(d):
    """What the sheet shows, typed again (with commas), is the same value."""
    shown = Value.of(d).display()
    assert normalize_value(shown).number == d


@given(decimals)
def test_fullwidth_typing_equals_halfwidth(d):
    shown = Value.of(d).display()
    assert normalize_value(shown.translate(FULLWIDTH)).number == d


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3))
def test_triangle_means_negative(d):
    assert normalize_value("△" + format(d, "f")).number == -d
    assert normalize_value("▲" + format(d, "f")).number == -d


@given(st.text(max_size=200))
def test_any_text_gives_a_value_or_a_typed_error(text):
    for vt, role in ((ValueType.NUMERIC, "actual"), (Q, "target"), (Q, "actual")):
        try:
            v = normalize_value(text, vt, role=role)
        except ValueInputError as err:
            assert str(err)
        else:
            assert isinstance(v, Value)
            # normalising the stored form again is stable
            again = normalize_value(v.to_storage(), vt, role=role)
            assert again == v
