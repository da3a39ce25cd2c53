"""Japanese line breaking with 禁則: examples a typesetter would check, and properties for any text."""

from __future__ import annotations

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from dxdesk.report.linebreak import NO_END, NO_START, break_lines, clusters


def width(ch: str) -> float:
    """Full-width characters 1, half-width 0.5 (as in a Japanese gothic font)."""
    return 0.5 if ord(ch) < 0x2E80 else 1.0


def text_width(s: str) -> float:
    return sum(width(c) for c in s)


def test_no_line_starts_with_closing_punctuation():
    # 10 characters per line: 「。」 would be the 11th character and is pushed with the one before it
    text = "一二三四五六七八九十。次の文です。"
    lines = break_lines(text, 10, width)
    assert lines == ["一二三四五六七八九", "十。次の文です。"]


def test_no_line_ends_with_an_opening_bracket():
    text = "一二三四五六七八九「十」の文"
    lines = break_lines(text, 10, width)
    assert lines[0] == "一二三四五六七八九"
    assert lines[1].startswith("「十」")


def test_small_kana_and_long_vowel_mark_stay_with_the_character_before():
    lines = break_lines("あいうえおかきくけちょっとまってくださいー", 10, width)
    for line in lines[1:]:
        assert line[0] not in "ょっーぁ"


def test_latin_words_and_numbers_are_not_split():
    text = "あいうえおかきLGWAN接続系端末は1,570.0台です"
    lines = break_lines(text, 8, width)
    joined_words = [w for line in lines for w in ("LGWAN", "1,570.0") if w in line]
    assert joined_words == ["LGWAN", "1,570.0"]


def test_ellipsis_pair_stays_together():
    lines = break_lines("一二三四五六七八九……です", 10, width)
    assert "……" in lines[0] or "……" in lines[1]
    assert not any(line.startswith("…") for line in lines)


def test_line_feeds_are_kept_and_empty_lines_stay():
    assert break_lines("一行目\n\n三行目", 20, width) == ["一行目", "", "三行目"]
    assert break_lines("a\r\nb", 20, width) == ["a", "b"]


def test_empty_text_has_no_lines():
    assert break_lines("", 10, width) == []


def test_a_cluster_wider_than_the_line_is_cut_rather_than_overflowing():
    lines = break_lines("。" * 25, 10, width)
    assert "".join(lines) == "。" * 25
    assert all(text_width(line) <= 10 for line in lines)


def test_forty_thousand_characters_break_quickly_and_completely():
    text = ("職員向けの説明会を開催し、「電子申請」の操作方法と運用ルールの周知を図った（LGWAN）。" * 1000)[
        :40_000
    ]
    lines = break_lines(text, 40, width)
    assert "".join(lines) == text
    assert max(text_width(line) for line in lines) <= 40


# --- properties ----------------------------------------------------------------------------------

JAPANESE = st.sampled_from(
    list("あいうかきくさしすたちつなにぬ漢字年度施策評価目標実績")
    + list("、。」）ー々っゃ「（")
    + ["ABC", "12,345", " ", "　"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.floats(min_value=0.5, max_value=60))
@example("0 }", 0.5)  # a space before a closing bracket was moved to start the next line
def test_nothing_is_lost_and_no_line_is_too_wide(text, max_width):
    lines = break_lines(text, max_width, width)
    flat = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "")
    assert "".join(lines) == flat
    for line in lines:
        visible = line.rstrip(" \u3000")
        assert len(visible) <= 1 or text_width(visible) <= max_width + 1e-6


@settings(max_examples=300, deadline=None)
@given(st.lists(JAPANESE, min_size=1, max_size=120).map("".join), st.integers(min_value=6, max_value=40))
def test_kinsoku_holds_whenever_the_text_can_be_broken_legally(text, max_width):
    # the only excuse for breaking 禁則 is a piece that cannot fit a line at all
    assume(all(text_width(c.rstrip(" \u3000")) <= max_width for c in clusters(text)))
    lines = break_lines(text, max_width, width)
    assert "".join(lines) == text
    for line in lines[1:]:
        assert line[:1] not in NO_START, lines
    for line in lines[:-1]:
        assert line.rstrip(" \u3000")[-1:] not in NO_END, lines


def test_opening_bracket_followed_by_a_space_does_not_end_a_line():
    """Found by hypothesis: 「 then a space then text must not leave 「 at the end of a line."""
    from dxdesk.report.linebreak import NO_END, break_lines

    lines = break_lines("ああああああああああ「 あ", 6, lambda ch: 1.0)
    assert all(line.rstrip(" \u3000")[-1:] not in NO_END for line in lines)
    assert "".join(lines) == "ああああああああああ「 あ"
