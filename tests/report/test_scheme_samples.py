"""Each of the five sample plans prints and exports with its own evaluation scheme.

Akita grades A–D by lifecycle stage; Tsukuba scores perspectives and chooses a 方向性; Nagasaki shows
rates and a 見直し区分; Sasebo shows rates only; Shizuoka reviews in PDCA text. What a reader sees is
checked in the PDF text (pdftotext) and in the merged workbook's cells.
"""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from dxdesk.central.workbook import export_merged_workbook
from dxdesk.report.documents import PrintJob, make_pdf
from tests.report.conftest import SAMPLES, pdf_text, squeeze

A_TO_D_LEGEND = "A：目標値を達成"

# sample → (distribution heading of the report, 評価分布 header of the merged workbook, a count row)
EXPECTED = {
    "akita_progress_evaluation.json": (
        "評価の分布（基本目標別）",
        ("区分", "分野・部局", "A", "B", "C", "D", "対象外", "未入力", "評価なし", "計"),
        ("分野別", "合計", 0, 1, 2, 0, 1, 0, 0, 4),
    ),
    "tsukuba_management_sheet.json": (
        "方向性の分布（分野別）",
        (
            "区分",
            "分野・部局",
            "拡大・拡充",
            "継続",
            "改善",
            "現状維持",
            "縮小",
            "統合",
            "休止・廃止",
            "完了",
            "未選択",
            "未入力",
            "対象外",
            "計",
        ),
        ("分野別", "合計", 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3),
    ),
    "nagasaki_group_evaluation.json": (
        "見直し区分の分布（事業群別）",
        (
            "区分",
            "分野・部局",
            "拡充",
            "改善",
            "現状維持",
            "縮小",
            "統合",
            "廃止",
            "終了",
            "未選択",
            "未入力",
            "対象外",
            "計",
        ),
        ("分野別", "合計", 0, 3, 1, 0, 0, 0, 0, 0, 0, 1, 5),
    ),
    "sasebo_execution_plan.json": (
        "達成状況の分布（分野別）",
        ("区分", "分野・部局", "目標達成", "一部達成", "未達成", "実績未入力", "指標なし", "計"),
        ("分野別", "合計", 0, 0, 0, 8, 0, 8),  # the R8 edition: actuals reach R6
    ),
    "shizuoka_action_plan.json": (
        "達成状況の分布（基本方針別）",
        ("区分", "分野・部局", "目標達成", "一部達成", "未達成", "実績未入力", "指標なし", "計"),
        ("分野別", "合計", 0, 0, 0, 1, 3, 4),
    ),
}


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_report_and_merged_workbook_show_only_the_plans_scheme(sample, load_dataset, tmp_path):
    heading, header, total = EXPECTED[sample]
    db = load_dataset(sample)
    pdf = tmp_path / "report.pdf"
    make_pdf(db, pdf, PrintJob(kind="report"))
    front = squeeze(pdf_text(pdf, 1, 3))
    assert squeeze(heading) in front
    grades = sample.startswith("akita")
    assert (A_TO_D_LEGEND in front) is grades
    assert ("評価の分布" in front) is grades

    out = tmp_path / "merged.xlsx"
    export_merged_workbook(db, out)
    wb = load_workbook(out, read_only=True)
    rows = list(wb["評価分布"].iter_rows(values_only=True))
    assert rows[0] == header
    assert total in rows
    listing = wb["全庁一覧"]
    head = next(listing.iter_rows(values_only=True))
    grade_col, suggested_col = head.index("評価"), head.index("算出評価")
    shown = {r[grade_col] for r in listing.iter_rows(min_row=2, values_only=True)}
    suggested = {r[suggested_col] for r in listing.iter_rows(min_row=2, values_only=True)}
    if grades:
        assert shown <= {"A", "B", "C", "D", "対象外", "未入力", "評価なし"} and "C" in shown
    else:
        assert shown == {None} and suggested == {None}  # nothing is graded where the scheme has no grade
    wb.close()


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_booklet_contents_name_the_plans_own_column(sample, load_dataset, tmp_path):
    db = load_dataset(sample)
    pdf = tmp_path / "booklet.pdf"
    owner = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))["measures"][0]["owner"]
    make_pdf(db, pdf, PrintJob(kind="booklet", section_code=owner))
    lines = pdf_text(pdf, 1, 2, layout=True).splitlines()
    header = next(squeeze(line) for line in lines if "コード" in line and "頁" in line)
    title = {
        "akita": "名称担当課評価頁",
        "tsukuba": "名称担当課方向性頁",
        "nagasaki": "名称担当課見直し区分頁",
        "sasebo": "名称担当課達成状況頁",
        "shizuoka": "名称担当課達成状況頁",
    }[sample.split("_")[0]]
    assert header.endswith(title), header


def test_a_pdca_measure_without_actuals_is_never_printed_as_d(load_dataset, tmp_path):
    db = load_dataset("shizuoka_action_plan.json")
    pdf = tmp_path / "s.pdf"
    make_pdf(db, pdf, PrintJob(kind="booklet", section_code="DX"))
    lines = [squeeze(line) for line in pdf_text(pdf, 1, 2, layout=True).splitlines()]
    row = next(line for line in lines if "行政サービスのオンライン化" in line and "DX推進課" in line)
    assert row.endswith("DX推進課実績未入力3"), row
    assert not any(line.endswith(("DX推進課D", "DX推進課D3")) for line in lines)


def test_a_lifecycle_sheet_prints_the_stage_as_the_format_does(load_dataset, tmp_path):
    db = load_dataset("akita_progress_evaluation.json")
    pdf = tmp_path / "a.pdf"
    make_pdf(db, pdf, PrintJob())
    text = squeeze(pdf_text(pdf))
    assert "段階1（構築期）" in text and "段階2（拡大期）" in text
    assert "ステージ2" not in text


def test_a_perspective_plans_report_averages_its_scores(load_dataset, tmp_path):
    db = load_dataset("tsukuba_management_sheet.json")
    pdf = tmp_path / "t.pdf"
    make_pdf(db, pdf, PrintJob(kind="report"))
    lines = [squeeze(line) for line in pdf_text(pdf, 1, 3, layout=True).splitlines()]
    assert "観点別評価の平均" in lines
    # the three measures score 市民ニーズ 3, 3, 4 and 市の関与 4, 4, 5 (the seed's sheets)
    assert "市民ニーズ3.33件0件" in lines
    assert "市の関与4.33件0件" in lines


@pytest.mark.parametrize(
    ("sample", "check_id"),
    [
        # Nagasaki records only うち一般財源: its sum is not meant to equal the settlement
        ("nagasaki_group_evaluation.json", "VAL-FUNDING-SUM"),
        # Sasebo's projects measure 活動指標 by design (the KPI sheets carry the outcomes)
        ("sasebo_execution_plan.json", "AUD-OUTPUT-ONLY"),
    ],
)
def test_per_format_defaults_keep_checks_that_do_not_fit_the_format_quiet(sample, check_id, load_dataset):
    from dxdesk.store.presubmit import presubmission_check
    from dxdesk.store.queries import current_plan

    db = load_dataset(sample)
    with db.session() as s:
        plan = current_plan(s)
        report = presubmission_check(s, plan, plan.current_fy)
    assert report.items  # the samples do have findings of other kinds
    assert check_id not in {i.finding.check_id for i in report.items}


def test_a_schedule_stage_prints_the_schedule_wording_and_an_empty_sheet_no_grade(load_dataset, tmp_path):
    data = {
        "format": "dxdesk/dataset/1",
        "plan": {"code": "p", "name": "みなと市DX推進計画", "municipality": "みなと市", "current_fy": 2026},
        "bureaus": [{"code": "B1", "name": "総務部"}],
        "sections": [{"code": "S1", "name": "情報政策課", "bureau": "B1"}],
        "measures": [
            {
                "code": "07",
                "name": "基幹業務システムの標準化",
                "owner": "S1",
                "years": {
                    "2026": {
                        "stage": "1",
                        "texts": {"result": "住民記録システムの移行が遅れている。"},
                        "direction": "継続",
                        "milestones": [
                            {"text": "移行計画の策定", "due_fy": 2025, "status": "done"},
                            {"text": "住民記録システムの移行", "due_fy": 2026, "status": "in_progress"},
                        ],
                    }
                },
            },
            {
                "code": "08",
                "name": "窓口の待ち時間の短縮",
                "owner": "S1",
                "indicators": [
                    {
                        "name": "窓口の平均待ち時間",
                        "unit": "分",
                        "direction": "down",
                        "baseline": "25",
                        "values": {"2026": {"target": "15"}},
                    }
                ],
                "years": {"2026": {"stage": "2"}},
            },
        ],
    }
    db = load_dataset(data)
    pdf = tmp_path / "w.pdf"
    make_pdf(db, pdf, PrintJob())
    text = squeeze(pdf_text(pdf))
    assert "段階1（構築期）（スケジュールによる評価）" in text
    assert "C構築中・計画より遅れ" in text
    assert "基準値から横ばい又は着手" not in text
    assert "未入力（この年度の入力がまだありません）" in text  # measure 08: nobody has started it
    assert "基準値より悪化又は未着手" not in text
