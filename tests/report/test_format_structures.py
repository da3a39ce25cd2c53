"""The structures of the Sasebo and Nagasaki formats, in the order their published sheets have them, in
the printed text of the samples; the data behind them (measure attributes, the year's texts, the print
settings) survives a dataset round trip unchanged; the settings are checked with a Japanese message."""

from __future__ import annotations

import json
import re

import pytest

from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.report.errors import PrintError
from dxdesk.store.dataset import export_dataset
from tests.report.conftest import SAMPLES, pdf_page_texts, pdf_text, squeeze

# sample, measure printed → the words in the order they appear on its page(s)
ORDER = [
    (
        "sasebo_execution_plan.json",
        "観光1-KPI",
        [
            "【R8】重点課題KPIの評価",
            "分野：まちづくり",
            "分類：観光",
            "DX重点課題：デジタルマーケティングの強化",
            "主体部局：観光商工部",
            "■観光客に関する様々なデータを収集・分析し",
            "課題",
            "KPI",
            "R3R4R5R6R7R8R9",
            "算出式・設定根拠",
            "進捗状況・評価",
            "データ活用による戦略策",
            "データを活用した事業立案数",
            "予定",
            "実績",
            "民間事業者へのオープンデータ",
            "予定",
            "実績",
            "データ活用による戦略策定と観光力強化を図るため",
            "MaaSアプリ「STLOCAL」",
            "マーケティングレポートの内容を定期的に見直し",
        ],
    ),
    (
        "sasebo_execution_plan.json",
        "子ども1-KPI",
        [
            "オンライン申請利用率（%）",
            "予定",
            "10.0%20.0%30.0%35.0%40.0%45.0%50.0%",
            "実績",
            "33.4%24.0%46.2%50.4%",
        ],
    ),
    (
        "sasebo_execution_plan.json",
        "農水2-a-1/2-2",
        [
            "分野：01まちづくり",
            "分類：農林水産",
            "DX重点課題：01-02",
            "課題：農水2",
            "ステップ：農水2-a-1",
            "実施年度・進捗状況",
            "R4R5R6R7R8R9",
            "実施年度○⇒⇒⇒⇒⇒",
            "状況実施済実施済実施済実施済当年度実施今後予定",
            "凡例実施済当年度実施今後予定検討",
        ],
    ),
    (
        "nagasaki_group_evaluation.json",
        "G1-3",
        [
            "事業群指標名",
            "事業期間",
            "R3-7",
            "1ながさきSociety5.0推進費",
            "3電子県庁推進事業",
            "4スマート県庁プロジェクト",
            "指標",
        ],
    ),
    (
        "nagasaki_group_evaluation.json",
        "1",
        [
            "iiiiiiivvii",
            "事業の概要",
            "令和2年度事業の成果等",
            "3.実績の検証及び解決すべき課題と解決に向けた方向性",
            "iながさきSociety5.0推進プラットフォームによるICT利活用の推進",
            "viiデータの利活用促進",
            "●実績の検証及び解決すべき課題",
            "●課題解決に向けた方向性",
            "○本県におけるSociety5.0実現に向け",
            "4.令和3年度見直し内容及び令和4年度実施に向けた方向性",
            "事業構築の視点",
            "④⑧",
            "見直し区分",
            "■改善",
            "【事業構築の視点】",
            "①視点①事業群としての成果目標に対し",
            "⑩その他の視点",
        ],
    ),
]


# words whose box wraps (a label beside a longer value): checked present, not in order
PRESENT = {
    "観光1-KPI": ["到達像", "R8年度の目標（総括）", "R8年度の事業総括"],
    "G1-3": ["中核事業"],
    "1": [
        "取組項目",
        "法令による事業実施の義務付け",
        "県の裁量の余地がない事業",
        "他の評価対象事業（公共、研究等）",
        "事業実施の根拠法令条項",
        "中核事業○",
    ],
}


@pytest.mark.parametrize(
    ("sample", "code", "words"), ORDER, ids=[f"{s.split('_')[0]}-{c}" for s, c, _ in ORDER]
)
def test_the_format_prints_its_structures_in_its_order(load_dataset, tmp_path, sample, code, words):
    db = load_dataset(sample)
    pdf = tmp_path / "s.pdf"
    make_pdf(db, pdf, PrintJob(measure_codes=(code,)))
    text = squeeze(pdf_text(pdf, layout=True))  # lines top to bottom, cells left to right
    at = 0
    for word in PRESENT.get(code, ()):  # labels that wrap in their box: present on the page
        assert squeeze(word) in squeeze(pdf_text(pdf)), word
    for word in words:
        found = text.find(squeeze(word), at)
        assert found >= 0, f"「{word}」 not found after position {at}: …{text[at : at + 120]}…"
        at = found + len(squeeze(word))


def test_the_sasebo_kpi_sheet_is_landscape_and_the_project_sheet_portrait(load_dataset, tmp_path):
    import subprocess

    db = load_dataset("sasebo_execution_plan.json")
    pdf = tmp_path / "s.pdf"
    make_pdf(db, pdf, PrintJob(measure_codes=("観光1-KPI", "観光2-1-4")))
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert [(round(float(w)), round(float(h))) for w, h in sizes] == [(842, 595), (595, 842)]
    pages = pdf_page_texts(pdf)
    assert "指標の推移" not in squeeze(pages[0])  # the KPI table replaces the per-indicator blocks and charts
    assert "指標の推移" in squeeze(pages[1])


# what the clerk and the central office type for these formats, where it lives in the dataset
ROUND_TRIP = [
    ("sasebo_execution_plan.json", "観光1-KPI", "attributes", "reaching", "■観光客に関する様々なデータ"),
    (
        "sasebo_execution_plan.json",
        "観光1-KPI",
        "texts",
        "goal_summary",
        "データ活用による戦略策定と観光力強化を図るため",
    ),
    ("sasebo_execution_plan.json", "農水2-KPI", "texts", "project_summary", "【漁業】"),
    ("nagasaki_group_evaluation.json", "3", "texts", "verification", "○県における電子申請の利用促進"),
    ("nagasaki_group_evaluation.json", "4", "texts", "solution", "○県におけるRPA作成ロボット利用促進"),
    ("nagasaki_group_evaluation.json", "1", "attributes", "items", "i ii iii iv vii"),
    ("nagasaki_group_evaluation.json", "1", "attributes", "no_discretion", ""),
    ("nagasaki_group_evaluation.json", "G1-3", "attributes", "core", "1　ながさきSociety5.0推進費"),
]


@pytest.mark.parametrize(("sample", "code", "where", "key", "start"), ROUND_TRIP)
def test_format_data_survives_a_dataset_round_trip(load_dataset, sample, code, where, key, start):
    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    fy = str(data["plan"]["current_fy"])
    first = load_dataset(sample, "first.sqlite")
    with first.session() as s:
        out = export_dataset(s, data["plan"]["code"])
    second = load_dataset(out, "second.sqlite")
    with second.session() as s:
        again = export_dataset(s, data["plan"]["code"])
    source = next(m for m in data["measures"] if m["code"] == code)
    expected = source["attributes"][key] if where == "attributes" else source["years"][fy]["texts"][key]
    assert expected.startswith(start)
    for dumped in (out, again):
        m = next(m for m in dumped["measures"] if m["code"] == code)
        value = m["attributes"][key] if where == "attributes" else m["years"][fy]["texts"][key]
        assert value == expected
        for setting in (
            "legends",
            "landscape_kinds",
            "kpi_table_kinds",
            "basic_fields_by_kind",
            "text_fields",
        ):
            assert dumped["plan"]["settings"].get(setting) == data["plan"]["settings"].get(setting)


def test_the_nagasaki_core_projects_are_the_ones_marked_so(load_dataset):
    """The 事業群 sheet's 中核事業 box lists exactly the 事業 flagged 中核事業 (○), in number order."""
    data = json.loads((SAMPLES / "nagasaki_group_evaluation.json").read_text(encoding="utf-8"))
    group = next(m for m in data["measures"] if m["kind"] == "group")
    core = sorted((m for m in data["measures"] if m.get("leading")), key=lambda m: int(m["code"]))
    assert group["attributes"]["core"].splitlines() == [f"{m['code']}　{m['name']}" for m in core]


def test_the_sasebo_goal_of_a_focus_task_is_the_same_on_each_of_its_tasks():
    """目標（総括） belongs to the DX重点課題; each of its 課題 carries the same text for the year."""
    data = json.loads((SAMPLES / "sasebo_execution_plan.json").read_text(encoding="utf-8"))
    parents = {}

    def walk(nodes, parent=None):
        for n in nodes:
            parents[n["code"]] = parent
            walk(n.get("children", []), n["code"])

    walk(data["tree"])
    goals: dict[str, set[str]] = {}
    for m in data["measures"]:
        if m["kind"] == "kpi":
            goals.setdefault(parents[m["node"]], set()).add(m["years"]["2026"]["texts"]["goal_summary"])
    assert len(goals) == 3 and all(len(texts) == 1 for texts in goals.values())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("legends", [{"title": "凡例", "items": [["①"]]}]),
        ("legends", {"title": "凡例"}),
        ("landscape_kinds", "kpi"),
        ("kpi_table_kinds", [1]),
        ("basic_fields_by_kind", {"group": ["中核事業"]}),
    ],
)
def test_bad_format_settings_are_reported_in_japanese(load_dataset, tmp_path, key, value):
    data = json.loads((SAMPLES / "nagasaki_group_evaluation.json").read_text(encoding="utf-8"))
    data["plan"]["settings"][key] = value
    db = load_dataset(data)
    with pytest.raises(PrintError, match=key) as err:
        make_pdf(db, tmp_path / "n.pdf", PrintJob())
    assert "計画の設定" in str(err.value)
