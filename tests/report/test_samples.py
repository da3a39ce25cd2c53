"""The print samples of the five seed formats: each loads, prints in its own words with the real
figures of its seed document, and nothing is drawn outside the page's margins."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.report.pages import MARGIN_X
from tests.report.conftest import SAMPLES, pdf_pages, pdf_text, squeeze

# sample file → (sheet titles, words of the format, figures from the seed document)
EXPECTED = {
    "tsukuba_management_sheet.json": (
        ["令和5年度　事務事業マネジメントシート"],
        [
            "事業の基本情報",
            "コストの推移",
            "市民参加の取組状況",
            "指標の推移",
            "市長公約",
            "担当部課",
            "国庫、県支出金、地方債",
            "市民ニーズ",
            "優先度",
        ],
        [
            "133,348",
            "01-020108-15",
            "1,570.0",
            "2,108.0",
            "今後も一定の市民ニーズが見込まれる。",
            "計画から遅れている。(未達成)",
            "■拡大・拡充",
        ],
    ),
    "akita_progress_evaluation.json": (
        ["令和5年度　個別施策の進捗評価"],
        [
            "進捗評価",
            "ライフサイクル",
            "評価指標（KPI）",
            "目標値の考え方",
            "見込まれる効果",
            "関連課所室",
            "事業費内訳",
            "取組結果",
        ],
        [
            "46.2",
            "33.4%（R3）",
            "50.0%（R9）",
            "92.4%",
            "構築期",
            "実施中（遅れ）",
            "※算出した評価（D）から変更",
            "1,073",
        ],
    ),
    "sasebo_execution_plan.json": (
        ["【R8】重点課題 KPI の評価", "令和8年度　DX戦略 実行計画 プロジェクト"],
        [
            "予定",
            "算出式・設定根拠",
            "進捗状況・評価",
            "リーディング",
            "実施年度",
            "分類",
            "DX重点課題",
            "ステップ",
            "到達像",
            "R8年度の目標（総括）",
            "R8年度の事業総括",
            "当年度実施",
        ],
        ["151,507", "193,000", "50.4%", "39.1%", "10.0%", "⇒", "○", "観光2-1-4"],
    ),
    "nagasaki_group_evaluation.json": (
        ["令和2年度　事業群評価調書"],
        [
            "目標値①",
            "実績値②",
            "達成率②/①",
            "基準年",
            "最終目標（年度）",
            "中核事業",
            "見直し区分",
            "事業構築の視点",
            "所管課（室）",
            "3. 実績の検証及び解決すべき課題と解決に向けた方向性",
            "●実績の検証及び解決すべき課題",
            "●課題解決に向けた方向性",
            "事業実施の根拠法令条項",
            "法令による事業実施の義務付け",
            "県の裁量の余地がない事業",
            "【事業構築の視点】",
        ],
        [
            "R元実績",
            "R2実績",
            "R3計画",
            "285,224",
            "240%",
            "40%",
            "275%",
            "107%",
            "1,515（R元）",
            "16（R7）",
            "658,011",
            "④⑧",
            "■改善",
            "H13-",
        ],
    ),
    "shizuoka_action_plan.json": (
        ["令和7年度　アクションプラン　様式①", "令和7年度　アクションプラン　様式②"],
        [
            "現状（As-Is）",
            "課題（Gap）",
            "目指す姿（To-Be）",
            "主な取組とロードマップ",
            "効果・KPI",
            "［PLAN/DO］",
            "［CHECK］",
            "課題（CHECK）",
            "利益最大化のために何をすべきか（ACT）",
            "構成",
            "導入年度",
        ],
        [
            "298,621件（R5）",
            "375,000件（R8）",
            "10,000件（R8）",
            "13,365千円",
            "3,888千円/年（R8）",
            "96,954",
            "LGWAN-ASPサービス",
        ],
    ),
}


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_sample_prints_in_its_formats_words_with_the_seed_figures(sample, load_dataset, tmp_path):
    titles, words, figures = EXPECTED[sample]
    db = load_dataset(sample)
    out = tmp_path / "sample.pdf"
    result = make_pdf(db, out, PrintJob())
    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    assert result.sheets == len(data["measures"])
    assert result.pages == pdf_pages(out) >= result.sheets
    assert result.missing_chars == ""
    text = squeeze(pdf_text(out))
    layout = squeeze(pdf_text(out, layout=True))  # keeps a title's words on their line
    for title in titles:
        assert squeeze(title) in layout, title
    for expected in [*words, *figures]:
        assert squeeze(expected) in text, expected
    for m in data["measures"]:
        assert squeeze(m["name"]) in text


def _words_with_boxes(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Per page: its width and height (a landscape page is wider) and its words with their boxes."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in pattern.findall(page[3])]
        pages.append((float(page[1]), float(page[2]), words))
    return pages


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_nothing_is_printed_outside_the_margins(sample, load_dataset, tmp_path):
    """Tables wider than the page or text running out of its box would show here."""
    db = load_dataset(sample)
    out = tmp_path / "m.pdf"
    make_pdf(db, out, PrintJob(kind="report"))
    pages = _words_with_boxes(out)
    assert pages
    for width, height, words in pages:
        assert words
        for x0, _y0, x1, y1, word in words:
            assert x0 >= MARGIN_X - 1.5, word
            assert x1 <= width - MARGIN_X + 1.5, word
            assert y1 <= height - 20, word


def test_kind_titles_follow_the_plan_setting(load_dataset, tmp_path):
    db = load_dataset("shizuoka_action_plan.json")
    out = tmp_path / "s.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("1-1",)))
    text = squeeze(pdf_text(out, layout=True))
    assert "令和7年度アクションプラン様式①" in text and "様式②" not in text
    # attributes limited to a kind (measure_attributes[].kinds) are not printed on the other kind
    assert "主な業務システム" in text and "導入年度" not in text


def test_tsukuba_prints_its_indicator_types_and_always_its_basic_rows(load_dataset, tmp_path):
    """活動結果指標 as Tsukuba names it; 根拠法令等 is a row of the form even where a measure has none
    (098), so every sheet keeps its shape; a row the format lacks (関連課所室, 重点事業) never prints."""
    db = load_dataset("tsukuba_management_sheet.json")
    out = tmp_path / "t.pdf"
    make_pdf(db, out, PrintJob())
    pages = [squeeze(p) for p in pdf_text(out).split("\f") if p.strip()]
    text = "".join(pages)
    assert "活動結果指標" in text and "活動指標" not in text.replace("活動結果指標", "")
    data = json.loads((SAMPLES / "tsukuba_management_sheet.json").read_text(encoding="utf-8"))
    assert [m.get("legal_basis") for m in data["measures"]].count(None) == 1
    firsts = [p for p in pages if "事務事業名" in p]
    assert len(firsts) == len(data["measures"])
    for page in firsts:
        assert "根拠法令等" in page and "予算科目" in page and "事業期間" in page and "SDGs" in page
        assert "関連課所室" not in page and "重点事業" not in page


def test_basic_fields_setting_decides_the_rows_not_the_values(load_dataset, tmp_path):
    """Without 根拠法令等 among a plan's basic_fields it is not printed even when filled in."""
    data = json.loads((SAMPLES / "tsukuba_management_sheet.json").read_text(encoding="utf-8"))
    data["plan"]["settings"]["basic_fields"] = ["budget_item", "period", "sdgs"]
    db = load_dataset(data)
    out = tmp_path / "t.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("088",)))
    text = squeeze(pdf_text(out))
    assert "つくば市情報セキュリティポリシー" not in text and "根拠法令等" not in text
    assert "01-020108-15" in text


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("basic_fields", ["legal_basis", "根拠"], "basic_fields"),
        ("basic_fields", "legal_basis", "basic_fields"),
        ("rate_decimals", 5, "rate_decimals"),
        ("rate_decimals", "0", "rate_decimals"),
        ("cost_year_labels", {"actual": "{year}実績"}, "cost_year_labels"),
        ("indicator_years", "some", "indicator_years"),
    ],
)
def test_bad_print_settings_are_reported_in_japanese(load_dataset, tmp_path, key, value, message):
    from dxdesk.report.errors import PrintError

    data = json.loads((SAMPLES / "tsukuba_management_sheet.json").read_text(encoding="utf-8"))
    data["plan"]["settings"][key] = value
    db = load_dataset(data)
    with pytest.raises(PrintError, match=message) as err:
        make_pdf(db, tmp_path / "t.pdf", PrintJob())
    assert "計画の設定" in str(err.value)


# words that name one city (its own name, its own services); another city's sample never holds them
CITY_WORDS = {
    "sasebo_execution_plan.json": ("佐世保", "させぼ"),
    "shizuoka_action_plan.json": ("静岡",),
    "tsukuba_management_sheet.json": ("つくば",),
    "nagasaki_group_evaluation.json": ("長崎", "ながさき"),
}


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_no_sample_holds_another_citys_names(sample):
    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    data.pop("_source", None)  # where the figures come from is said there, on purpose
    text = json.dumps(data, ensure_ascii=False)
    for other, words in CITY_WORDS.items():
        if other == sample:
            continue
        for word in words:
            assert word not in text, f"{sample} holds {word}"


def test_nagasaki_heads_its_cost_columns_by_what_they_hold(load_dataset, tmp_path):
    """R元実績 / R2実績 / R3計画 in one 事業費 row (settlements up to the sheet's year, the next year's
    budget), as the prefecture's sheet has them; no 予算額 / 決算額 rows."""
    db = load_dataset("nagasaki_group_evaluation.json")
    out = tmp_path / "n.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("3",)))
    text = squeeze(pdf_text(out, layout=True))
    assert "区分R元実績R2実績R3計画" in text
    assert "事業費（千円）512,504658,011285,224" in text
    assert "予算額" not in text and "決算額" not in text


def test_nagasaki_indicator_tables_show_the_years_with_figures(load_dataset, tmp_path):
    """indicator_years = entered: a 事業 indicator evaluated for R2 only gets an R2 column, not a
    mostly empty R元–R7 table; the 事業群 indicators with yearly targets keep every year they have."""
    db = load_dataset("nagasaki_group_evaluation.json")
    out = tmp_path / "n.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("1", "G1-3")))
    pages = [squeeze(p) for p in pdf_text(out, layout=True).split("\f") if p.strip()]
    group = next(p for p in pages if "G1-3" in p and "目標値①" in p)
    assert "区分R2年度R3年度R4年度R5年度R6年度R7年度基準年" in group
    project = next(p for p in pages if "シーズ・サービスの件数" in p and "目標値①" in p)
    assert "区分R2年度目標値①20実績値②48達成率②/①240%" in project
    assert "R元年度" not in project.split("指標", 1)[1].split("事業費", 1)[0]
