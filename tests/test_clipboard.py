"""Blocks of cells copied from Excel (tab-separated, Excel quoting) and back."""

from hypothesis import given
from hypothesis import strategies as st

from dxdesk.domain.clipboard import format_block, parse_block


def test_excel_block_as_excel_copies_it():
    assert parse_block("1,234\t５６\r\n—\t\r\n") == [["1,234", "５６"], ["—", ""]]
    assert parse_block('"二行の\n説明"\t"引用""符"\r\n') == [["二行の\n説明", '引用"符']]
    assert parse_block("42") == [["42"]]
    assert parse_block("") == []
    assert parse_block('"半端\t1\n') == [['"半端', "1"]]


cells = st.text(alphabet=st.sampled_from(list('ab1２,."\t\n —')), max_size=6)


@given(
    st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=4).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_block_round_trip(rows):
    assert parse_block(format_block(rows)) == rows
