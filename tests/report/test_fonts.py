"""Finding the Japanese font to embed, and refusing fonts that would print tofu."""

from __future__ import annotations

from pathlib import Path

import pytest
import reportlab

from dxdesk.report.errors import FontError
from dxdesk.report.fonts import ENV_VAR, MISSING_MARK, find_font, load_font

IPAEX = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")  # fonts-ipaexfont (bootstrap)
LATIN_ONLY = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # shipped with reportlab


def test_the_machine_font_is_found_and_covers_japanese(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    font = find_font()
    assert font.path.is_file()
    for ch in "令和年度施策評価シート、。「」":
        assert font.covers(ch)


def test_a_chosen_font_file_is_used(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    font = find_font(str(IPAEX))
    assert font.path == IPAEX


def test_a_missing_font_file_gets_a_message_saying_what_to_do(tmp_path):
    with pytest.raises(FontError) as err:
        find_font(str(tmp_path / "nai.ttf"))
    assert "見つかりません" in str(err.value)
    assert "nai.ttf" in str(err.value)


def test_a_file_that_is_not_a_font_is_refused(tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font at all" * 100)
    with pytest.raises(FontError) as err:
        load_font(bogus)
    assert "使えません" in str(err.value)


def test_a_font_without_japanese_is_refused_instead_of_printing_tofu():
    with pytest.raises(FontError) as err:
        load_font(LATIN_ONLY)
    assert "□" in str(err.value)
    assert "日本語フォント" in str(err.value)


def test_environment_variable_names_the_font(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing.ttf"))
    with pytest.raises(FontError):
        find_font()


def test_no_font_anywhere_explains_how_to_install_one(monkeypatch):
    import dxdesk.report.fonts as fonts

    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "candidate_fonts", lambda: iter(()))
    with pytest.raises(FontError) as err:
        find_font()
    message = str(err.value)
    assert "fonts-ipaexfont" in message and "游ゴシック" in message and "--font" in message


def test_characters_the_font_lacks_become_geta_and_are_reported():
    font = load_font(IPAEX)
    missing: set[str] = set()
    shown = font.printable("評価😀です\tタブ\x07", missing)
    assert shown == f"評価{MISSING_MARK}です タブ"
    assert missing == {"😀"}
    # a compatibility character the font lacks but whose plain form it has is printed plainly
    assert font.printable("ｶﾞ", set()) in ("ｶﾞ", "ガ")
