"""Shortcuts of the dataset readers (the merge reads every submitted measure with them).

A number written as dxdesk writes it (「11891」「-0.50」) is taken as it is, without the full reader of
typed input: it must give exactly what the full reader gives, for every text the shortcut accepts, and
leave everything else to it (全角, 「1,234」, 「△5」, units, 「—」, long texts). A choice read once
(「継続」, 「2」, 「A」) is remembered for its enum only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dxdesk.domain.enums import Grade, MilestoneStatus, Stage
from dxdesk.domain.values import ValueInputError, normalize_number, normalize_value
from dxdesk.store import dataset
from dxdesk.store.dataset import DatasetError, cost_fields, value_fields, year_fields


def _full_value(raw: object, value_type: str, unit: str, role: str) -> tuple[str, str | None]:
    """What the full reader makes of a value: ("ok", stored text) or ("error", message)."""
    try:
        v = normalize_value(
            None if raw is None else str(raw) if not isinstance(raw, str) else raw,
            value_type,
            role=role,
            unit=unit,
            decimals=None,
        )
    except ValueInputError as exc:
        return "error", str(exc)
    except ValueError as exc:  # a value type that is neither numeric nor qualitative
        return "raises", str(exc)
    return "ok", v.to_storage()


def _full_number(raw: object) -> tuple[str, object]:
    try:
        return "ok", normalize_number(raw if isinstance(raw, (str, Decimal)) else str(raw))
    except ValueInputError as exc:
        return "error", str(exc)


def _dataset_value(raw: object, value_type: str, unit: str, role: str) -> tuple[str, str | None]:
    try:
        return "ok", dataset._value(raw, value_type, unit, role, "measures[0].indicators[0]")
    except DatasetError as exc:
        return "error", str(exc).removeprefix("measures[0].indicators[0]：")
    except ValueError as exc:
        return "raises", str(exc)


def _dataset_number(raw: object) -> tuple[str, object]:
    try:
        return "ok", dataset._number(raw, "measures[0].costs.2026.budget")
    except DatasetError as exc:
        return "error", str(exc).removeprefix("measures[0].costs.2026.budget：")


# texts near the shortcut's edge: digits, signs, points, spaces, 全角 and other scripts' digits, marks
_NEAR_NUMBERS = st.text(alphabet="0123456789-.,+ \u3000△０１９٣e_\n", max_size=70)
_EDGES = [
    "0",
    "-0",
    "0.0",
    "-0.50",
    "00",
    "012",
    "1.",
    ".5",
    "-",
    "—",
    "11891",
    "123456789012345",
    "1234567890123456",
    "1" + "0" * 14 + ".5",
    "1." + "0" * 58,
    "1." + "0" * 59,
    "12\n",
    " 12",
    "１２",
    "٣",
    "1,234",
    "△5",
    "+5",
    "1e3",
    "12件",
]


@settings(max_examples=400, deadline=None)
@given(
    raw=_NEAR_NUMBERS,
    value_type=st.sampled_from(["numeric", "qualitative"]),
    role=st.sampled_from(["target", "actual"]),
)
def test_values_read_the_same_as_the_full_reader(raw: str, value_type: str, role: str) -> None:
    for unit in ("", "件", "%"):
        assert _dataset_value(raw, value_type, unit, role) == _full_value(raw, value_type, unit, role)


@pytest.mark.parametrize("raw", [*_EDGES, None, 12, Decimal("-0.50")])
def test_edge_values_read_the_same_as_the_full_reader(raw: object) -> None:
    for value_type in ("numeric", "qualitative", "bogus"):
        for role in ("target", "actual"):
            for unit in ("", "件"):
                assert _dataset_value(raw, value_type, unit, role) == _full_value(raw, value_type, unit, role)


@settings(max_examples=400, deadline=None)
@given(raw=_NEAR_NUMBERS)
@example(raw="1" + "0" * 15)
def test_costs_read_the_same_as_the_full_reader(raw: str) -> None:
    got, want = _dataset_number(raw), _full_number(raw)
    assert got == want
    if got[0] == "ok" and got[1] is not None:
        assert str(got[1]) == str(want[1])  # the same digits kept (「0.50」 stays 0.50)


@pytest.mark.parametrize("raw", [*_EDGES, 5, Decimal("5.0"), True])
def test_edge_costs_read_the_same_as_the_full_reader(raw: object) -> None:
    got, want = _dataset_number(raw), _full_number(raw)
    assert got == want
    if got[0] == "ok" and got[1] is not None:
        assert str(got[1]) == str(want[1])


def test_a_submitted_year_reads_as_a_person_typed_it() -> None:
    """Through the public readers: plain and typed forms of the same figures give the same columns."""
    plain = value_fields(
        "2026", {"target": "6792", "actual": "3894"}, {"value_type": "numeric", "unit": "件"}, "i"
    )
    typed = value_fields(
        "2026", {"target": "６,７９２件", "actual": " 3894 "}, {"value_type": "numeric", "unit": "件"}, "i"
    )
    assert plain == typed == (2026, {"target": "6792", "actual": "3894", "reference": None, "note": ""})
    _fy, cost = cost_fields(
        "2026", {"budget": "120657", "staff_ratio": "2.00", "overtime_hours": "１１４"}, "m"
    )
    assert cost["budget"] == Decimal("120657") and str(cost["staff_ratio"]) == "2.00"
    assert cost["overtime_hours"] == Decimal("114")
    with pytest.raises(DatasetError, match="数値として長すぎます"):
        cost_fields("2026", {"budget": "1." + "0" * 59}, "m")


def test_choices_read_again_are_the_same_and_stay_with_their_enum() -> None:
    dataset._ENUM_READ.clear()
    yd = {"stage": "2", "self_grade": "A", "milestones": [{"text": "要綱の改正", "status": "done"}]}
    first = year_fields("2026", yd, "measures[0].years")
    again = year_fields("2026", yd, "measures[1].years")
    assert first.columns["stage"] == again.columns["stage"] == Stage.EXPAND.value
    assert first.columns["self_grade"] == again.columns["self_grade"] == Grade.A.value
    assert again.milestones and again.milestones[0]["status"] == MilestoneStatus.DONE.value
    # 「A」 is a grade, not a stage: what was remembered for Grade says nothing about Stage
    with pytest.raises(DatasetError, match=r"measures\[2\]\.years\.2026\.stage：「A」は選択肢にありません"):
        year_fields("2026", {"stage": "A"}, "measures[2].years")
    # a text that failed once fails again with its own place
    for i in (3, 4):
        with pytest.raises(DatasetError, match=rf"measures\[{i}\]\.years\.2026\.self_grade"):
            year_fields("2026", {"self_grade": "E"}, f"measures[{i}].years")
    assert (Grade, "E") not in dataset._ENUM_READ


def test_remembered_choices_are_bounded() -> None:
    """Texts that differ only in spaces read the same member but are remembered one by one, up to the
    bound; past it they are still read, just not remembered."""
    dataset._ENUM_READ.clear()
    assert {dataset._enum(Stage, t, "x") for t in ("1", " 1 ")} == {Stage.BUILD}
    texts = [" " * i + "B" for i in range(dataset._ENUM_READ_MAX + 50)]
    assert all(dataset._enum(Grade, t, "g") is Grade.B for t in texts)
    assert len(dataset._ENUM_READ) == dataset._ENUM_READ_MAX
    assert dataset._enum(Grade, " " * 999 + "B", "g") is Grade.B
