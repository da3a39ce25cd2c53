"""The printable 操作の手引き: an A4 PDF in Japanese the central office can hand out — title page,
contents, both parts with their chapters and the screenshots made from the application
(resources/guide, scripts/make_guide.py) — with its font embedded so it prints the same on any PC."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from dxdesk.cli import main
from dxdesk.guide import CENTRAL_PAGES, PARTS, SECTION_PAGES, all_shots, shot_path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def guide_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("guide") / "操作の手引き.pdf"
    assert main(["guide", "--out", str(out)]) == 0
    return out


def test_every_screenshot_the_guide_names_is_in_resources():
    shots = all_shots()
    assert len(shots) >= 9
    for shot in shots:
        path = shot_path(shot)
        assert path.is_file(), f"{shot.file} missing: run scripts/make_guide.py"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the screens the guide talks about are all shown
    names = {s.file for s in shots}
    assert {
        "section-window.png",
        "section-indicators.png",
        "section-check.png",
        "section-export.png",
    } <= names
    assert {"central-inbox.png", "central-status.png", "central-review.png", "central-kits.png"} <= names


def test_the_guide_pdf_has_a_title_page_contents_and_every_chapter(guide_pdf: Path):
    info = _run("pdfinfo", str(guide_pdf))
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 8
    assert "A4" in info or "595" in info
    first = _run("pdftotext", "-f", "1", "-l", "1", "-layout", str(guide_pdf), "-")
    assert "dxdesk 操作の手引き" in first
    contents = _run("pdftotext", "-f", "2", "-l", "2", "-layout", str(guide_pdf), "-")
    assert "目次" in contents
    for title, _who, pages_ in PARTS:
        assert title in contents
        for page in pages_:
            # each chapter in the contents with its page number
            assert re.search(re.escape(page.title) + r"[ .]*\d+", contents), page.title
    text = _run("pdftotext", str(guide_pdf), "-")
    for page in (*SECTION_PAGES, *CENTRAL_PAGES):
        assert page.title in text
    assert "ファイル → 提出ファイルを作成…" in text
    assert "<b>" not in text and "□" not in text


def test_the_guide_pdf_embeds_its_japanese_font_and_the_screenshots(guide_pdf: Path):
    fonts = _run("pdffonts", str(guide_pdf)).splitlines()[2:]
    assert fonts, "no fonts"
    for line in fonts:
        assert " yes yes " in line, f"font not embedded as a subset: {line}"
    assert not any("Helvetica" in line for line in fonts)
    images = _run("pdfimages", "-list", str(guide_pdf)).splitlines()[2:]
    assert len([i for i in images if " image " in i]) >= len(all_shots())
    # the screenshots are printed at their pixel size (1366 wide), not thumbnails
    assert any(" 1366 " in i for i in images)


def test_guide_needs_no_database_and_refuses_a_name_that_is_not_pdf(tmp_path: Path, capsys):
    assert main(["guide", "--out", str(tmp_path / "手引き.txt")]) == 2
    assert ".pdf" in capsys.readouterr().err
    assert not (tmp_path / "手引き.txt").exists()
