"""PDFs as a person checks them: fonts embedded, values and names findable, pages counted right,
long texts complete, page numbers true, files never half-written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dxdesk.report.documents import PrintJob, default_file_name, make_pdf
from dxdesk.report.errors import NothingToPrintError, PrintCancelled, PrintError
from tests.report.conftest import pdf_fonts, pdf_page_texts, pdf_pages, pdf_text, squeeze

KANJI_DIGITS = "〇一二三四五六七八九"


def small_plan(result_text: str = "", **measure: object) -> dict:
    m = {
        "code": "088",
        "name": "情報通信ネットワーク運営業務",
        "owner": "S1",
        "indicators": [
            {
                "name": "年間のネットワーク停止時間",
                "unit": "分",
                "direction": "down",
                "baseline": "21.1",
                "baseline_fy": 2020,
                "values": {
                    "2025": {"target": "280.0", "actual": "3.0"},
                    "2026": {"target": "280.0", "actual": "0.0"},
                },
            }
        ],
        "years": {"2026": {"stage": "2", "texts": {"result": result_text}, "direction": "継続"}},
    }
    m.update(measure)
    return {
        "format": "dxdesk/dataset/1",
        "plan": {"code": "p", "name": "テスト計画", "municipality": "テスト市", "current_fy": 2026},
        "bureaus": [{"code": "B1", "name": "総務部"}],
        "sections": [
            {"code": "S1", "name": "情報政策課", "bureau": "B1"},
            {"code": "S2", "name": "窓口推進課", "bureau": "B1"},
        ],
        "measures": [
            m,
            {
                "code": "200",
                "name": "窓口のオンライン化",
                "owner": "S2",
                "indicators": [
                    {
                        "name": "オンライン申請利用率",
                        "unit": "%",
                        "values": {"2026": {"target": "30.0", "actual": "22.6"}},
                    }
                ],
                "years": {"2026": {"stage": "2"}},
            },
        ],
    }


def unique_text(n_chars: int) -> str:
    """Japanese sentences numbered in kanji digits, so every stretch of the text occurs once."""
    parts = []
    i = 0
    base = (
        "職員向けの説明会を開催し、「電子申請」の操作方法を周知した（窓口での案内も強化）。",
        "LGWAN接続系の端末を更新し、安定した運用を確保した……。",
    )
    while sum(map(len, parts)) < n_chars:
        num = "".join(KANJI_DIGITS[int(d)] for d in str(i))
        parts.append(f"第{num}項：{base[i % 2]}")
        i += 1
    return "".join(parts)[:n_chars]


def test_japanese_font_is_embedded_as_a_subset(load_dataset, tmp_path):
    db = load_dataset(small_plan("庁内統合ネットワーク機器の更改を行った。"))
    out = tmp_path / "sheets.pdf"
    make_pdf(db, out, PrintJob())
    fonts = pdf_fonts(out)
    assert fonts, "no fonts in the PDF"
    assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    assert all(re.match(r"^[A-Z]{6}\+", f["name"]) for f in fonts)  # subset tag
    assert not any("Helvetica" in f["name"] for f in fonts)  # no unembedded base font


def test_entered_values_names_and_computed_rate_are_in_the_text(load_dataset, tmp_path):
    db = load_dataset(small_plan("庁内統合ネットワーク機器の更改を行った。"))
    out = tmp_path / "sheets.pdf"
    result = make_pdf(db, out, PrintJob())
    text = pdf_text(out)
    for expected in (
        "令和8年度",
        "情報政策課",
        "088",
        "情報通信ネットワーク運営業務",
        "年間のネットワーク停止時間",
        "280.0",
        "庁内統合ネットワーク機器の更改を行った。",
        "窓口のオンライン化",
        "22.6",
        "75.3%",  # 22.6 ÷ 30.0, one decimal (computed by dxdesk.domain.rates)
        "総務部",
    ):
        assert expected in text, expected
    assert result.sheets == 2
    assert result.pages == pdf_pages(out) == 2  # one page each


def test_every_page_says_which_page_of_how_many(load_dataset, tmp_path):
    db = load_dataset(small_plan(unique_text(6000)))
    out = tmp_path / "sheets.pdf"
    result = make_pdf(db, out, PrintJob())
    total = pdf_pages(out)
    assert result.pages == total > 2
    for page in range(1, total + 1):
        assert f"{page}/{total}" in squeeze(pdf_text(out, page, page)), page


def test_forty_thousand_characters_flow_over_pages_without_loss(load_dataset, tmp_path):
    text = unique_text(40_000)
    db = load_dataset(small_plan(text))
    out = tmp_path / "long.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("088",)))
    texts = pdf_page_texts(out)
    pages = len(texts)
    assert pages == pdf_pages(out) >= 10
    wanted = squeeze(text)
    pos = 0
    for page in range(1, pages + 1):
        got = squeeze(texts[page - 1])
        # the longest continuation of the text found on this page
        lo, hi = 0, len(wanted) - pos
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if wanted[pos : pos + mid] in got:
                lo = mid
            else:
                hi = mid - 1
        pos += lo
        if page > 1 and pos < len(wanted):
            # continuation pages repeat the sheet's header and mark the part as continued
            assert "（続き）" in got and "088" in got
    assert pos == len(wanted), f"text lost after character {pos} of {len(wanted)}"


def test_long_text_lines_never_start_with_closing_punctuation(load_dataset, tmp_path):
    db = load_dataset(small_plan(unique_text(5000)))
    out = tmp_path / "k.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("088",)))
    for line in pdf_text(out).splitlines():
        assert not line.startswith(("。", "、", "」", "）", "…")), line


def test_section_selection_prints_only_that_sections_sheets(load_dataset, tmp_path):
    db = load_dataset(small_plan())
    out = tmp_path / "s2.pdf"
    result = make_pdf(db, out, PrintJob(section_code="S2"))
    text = pdf_text(out)
    assert result.sheets == 1
    assert "窓口のオンライン化" in text and "情報通信ネットワーク運営業務" not in text


def test_unknown_codes_are_named_and_nothing_is_written(load_dataset, tmp_path):
    db = load_dataset(small_plan())
    out = tmp_path / "x.pdf"
    with pytest.raises(NothingToPrintError) as err:
        make_pdf(db, out, PrintJob(measure_codes=("088", "999")))
    assert "999" in str(err.value)
    with pytest.raises(NothingToPrintError) as err:
        make_pdf(db, out, PrintJob(section_code="S9"))
    assert "S9" in str(err.value)
    assert not out.exists()


def test_cancel_leaves_the_previous_file_untouched(load_dataset, tmp_path):
    db = load_dataset(small_plan())
    out = tmp_path / "keep.pdf"
    out.write_bytes(b"%PDF-previous")

    def cancel(done: int, total: int, message: str) -> None:
        raise PrintCancelled()

    with pytest.raises(PrintCancelled):
        make_pdf(db, out, PrintJob(), progress=cancel)
    assert out.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep.pdf")] == []


def test_progress_reports_every_sheet(load_dataset, tmp_path):
    db = load_dataset(small_plan())
    seen: list[tuple[int, int]] = []
    make_pdf(db, tmp_path / "p.pdf", PrintJob(), progress=lambda d, t, m: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]


def test_booklet_has_cover_and_contents_with_true_page_numbers(load_dataset, tmp_path):
    data = small_plan(unique_text(4000))
    data["measures"][1]["owner"] = "S1"  # both sheets in one section
    db = load_dataset(data)
    out = tmp_path / "booklet.pdf"
    result = make_pdf(db, out, PrintJob(kind="booklet", section_code="S1"))
    assert result.pages == pdf_pages(out)
    cover = pdf_text(out, 1, 1)
    assert "情報政策課" in cover and "施策評価シート" in cover
    contents = pdf_text(out, 2, 2, layout=True)
    assert "目次" in contents
    for code, name in (("088", "情報通信ネットワーク運営業務"), ("200", "窓口のオンライン化")):
        line = next(line for line in contents.splitlines() if name in line)
        page = int(line.split()[-1])
        assert code in pdf_text(out, page, page), (code, page)
        assert name in pdf_text(out, page, page)


def test_organisation_report_front_pages_and_sheet_pages(load_dataset, tmp_path):
    db = load_dataset(small_plan("結果"))
    out = tmp_path / "report.pdf"
    result = make_pdf(db, out, PrintJob(kind="report"))
    assert result.pages == pdf_pages(out)
    assert "評価結果報告書" in pdf_text(out, 1, 1)
    front = pdf_text(out, 2, 2, layout=True)
    for heading in (
        "評価の分布（分野別）",
        "評価の分布（部局別）",
        "達成状況の一覧",
        "監査対応チェックの指摘",
    ):
        assert heading in front
    # the overview gives each sheet's page; that page really is the sheet
    line = next(line for line in front.splitlines() if "窓口のオンライン化" in line)
    page = int(line.split()[-1])
    assert "窓口のオンライン化" in pdf_text(out, page, page)
    assert "施策評価シート" in pdf_text(out, page, page)
    # a finding a person can act on is listed (22.6 of 30.0 with no baseline → graded, no baseline info)
    listed = squeeze(pdf_text(out, 2, result.pages - 2))
    assert "基準値なし" in listed
    assert "AUD-" not in listed  # check identifiers are for developers, not for the people reading


def test_evaluation_prints_grade_and_marks_an_override(load_dataset, tmp_path):
    data = small_plan()
    data["measures"][1]["years"]["2026"].update(
        self_grade="A", override_reason="年度末に申請が集中し、実質的に目標を達成したため。"
    )
    db = load_dataset(data)
    out = tmp_path / "grade.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("200",)))
    text = squeeze(pdf_text(out))
    assert "算出した評価（C）から変更" in text
    assert "年度末に申請が集中し" in text
    assert "段階2（拡大期）" in text


def test_a_bad_print_label_setting_is_reported_in_japanese(load_dataset, tmp_path):
    data = small_plan()
    data["plan"]["settings"] = {"print_labels": {"no_such_field": "x"}}
    db = load_dataset(data)
    with pytest.raises(PrintError) as err:
        make_pdf(db, tmp_path / "x.pdf", PrintJob())
    assert "print_labels" in str(err.value) and "no_such_field" in str(err.value)


def test_file_name_suggestions(load_dataset):
    db = load_dataset(small_plan())
    assert default_file_name(db, PrintJob(section_code="S1")) == "R8_情報政策課_施策評価シート.pdf"
    assert default_file_name(db, PrintJob(kind="report")) == "R8_評価結果報告書.pdf"
    assert default_file_name(db, PrintJob(measure_codes=("088",))) == "R8_088_施策評価シート.pdf"


def test_pdf_is_a_real_pdf_that_renders(load_dataset, tmp_path):
    import subprocess

    db = load_dataset(small_plan("表示の確認"))
    out = tmp_path / "r.pdf"
    make_pdf(db, out, PrintJob())
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "pg")], check=True
    )
    png = next(tmp_path.glob("pg*.png"))
    assert png.stat().st_size > 2000
    assert Path(out).read_bytes().startswith(b"%PDF-")


def test_a_database_without_a_plan_says_so(tmp_path):
    from dxdesk.store.database import open_database

    db = open_database(tmp_path / "empty.sqlite")
    try:
        with pytest.raises(NothingToPrintError) as err:
            make_pdf(db, tmp_path / "x.pdf", PrintJob())
        assert "計画が登録されていません" in str(err.value)
    finally:
        db.dispose()


def test_a_year_without_sheets_still_prints_the_measures_with_empty_boxes(load_dataset, tmp_path):
    db = load_dataset(small_plan())
    out = tmp_path / "old.pdf"
    result = make_pdf(db, out, PrintJob(fiscal_year=2024))
    text = squeeze(pdf_text(out))
    assert result.sheets == 2 and "令和6年度" in text
    assert "（未選択）" in text  # no stage chosen that year: shown, not guessed


def test_long_lists_repeat_their_header_row_on_every_page(load_dataset, tmp_path):
    from dxdesk.store.synthetic import synthetic_dataset

    db = load_dataset(synthetic_dataset(sections=8, measures_per_section=10))
    out = tmp_path / "report.pdf"
    result = make_pdf(db, out, PrintJob(kind="report"))
    pages = [squeeze(t) for t in pdf_page_texts(out)]
    assert len(pages) == result.pages
    continued = [p for p in pages if "達成状況の一覧（続き）" in p]
    assert continued, "80 measures should not fit the overview on one page"
    for page in continued:
        assert "指標の達成" in page and "担当課" in page  # the table's header row again


def test_an_unwritable_target_gets_a_message_and_the_old_file_stays(load_dataset, tmp_path):
    import os

    if os.geteuid() == 0:  # root writes anywhere; make the target a folder instead
        target = tmp_path / "folder.pdf"
        target.mkdir()
        (target / "inside").write_text("x")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        target = locked / "x.pdf"
        locked.chmod(0o500)
    db = load_dataset(small_plan())
    with pytest.raises(PrintError) as err:
        make_pdf(db, target, PrintJob())
    assert "書き込めません" in str(err.value)
    if target.is_dir():
        assert (target / "inside").read_text() == "x"
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
