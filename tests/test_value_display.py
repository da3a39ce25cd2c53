"""Values shown with the indicator's own decimals, percentages with 「%」, rates as each format prints
them (dxdesk.domain.values.format_value / format_rate)."""

from decimal import Decimal

import pytest

from dxdesk.domain.values import Value, format_rate, format_value, with_decimals


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "with_unit", "shown"),
    [
        # a count of 台 stored as 1570.0 by an import: the indicator has no decimals
        (Value.of("1570.0"), 0, "台", False, "1,570"),
        (Value.of("1570.0"), 0, "台", True, "1,570台"),
        # a reference target of 0 (demo measure 089)
        (Value.of("0.0"), 0, "件", False, "0"),
        # an indicator without a decimals setting keeps what was typed
        (Value.of("280.0"), None, "件", False, "280.0"),
        (Value.of("12"), None, "人", False, "12"),
        # one-decimal indicator: 10 is 10.0, a rounding is half up
        (Value.of("10"), 1, "", False, "10.0"),
        (Value.of("46.25"), 1, "", False, "46.3"),
        # a percentage is never a bare number (Sasebo's 10.0%), with or without the unit asked for
        (Value.of("10.0"), 1, "%", False, "10.0%"),
        (Value.of("10"), 1, "％", False, "10.0%"),
        (Value.of("31.2"), None, "%", True, "31.2%"),
        # negative and thousands
        (Value.of("-1234.5"), 1, "千円", False, "-1,234.5"),
        (Value.of("-0.0"), 0, "", False, "0"),
        # not numbers: as the sheet writes them
        (Value.na(), 0, "%", False, "—"),
        (Value.blank(), 0, "件", True, ""),
        (Value.of_text("移行完了"), None, "", False, "移行完了"),
        (Value.achieved(True), None, "", False, "達成"),
    ],
)
def test_format_value(value, decimals, unit, with_unit, shown):
    assert format_value(value, decimals, unit, with_unit=with_unit) == shown


@pytest.mark.parametrize(
    ("rate", "decimals", "shown"),
    [
        (Decimal("240"), 0, "240%"),  # Nagasaki prints whole percents
        (Decimal("240"), 1, "240.0%"),
        (Decimal("49.95"), 1, "50.0%"),
        (Decimal("49.5"), 0, "50%"),
        (Decimal("1234.56"), 0, "1,235%"),
        (None, 0, "—"),
    ],
)
def test_format_rate_decimals(rate, decimals, shown):
    assert format_rate(rate, decimals) == shown


def test_with_decimals_keeps_typed_decimals_without_a_setting():
    assert str(with_decimals(Decimal("1.50"), None)) == "1.50"
    assert str(with_decimals(Decimal("1.5"), 2)) == "1.50"
    assert str(with_decimals(Decimal("1570.0"), 0)) == "1570"
