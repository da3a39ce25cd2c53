"""The structures of Shizuoka's 様式①・② and the Akita-style 進捗評価 sheet, as a clerk of each city
would look for them on the printed page, and the data behind them surviving a dataset round trip."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from dxdesk.report.cost_breakdown import funding_source
from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.store.dataset import export_dataset
from tests.report.conftest import SAMPLES, pdf_text


def _lines(pdf, first: int | None = None, last: int | None = None) -> list[str]:
    """The page's lines as pdftotext -layout reads them, blanks squeezed to one space."""
    text = pdf_text(pdf, first, last, layout=True)
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def _in_order(lines: list[str], *wanted: str) -> list[int]:
    """The line numbers of ``wanted`` found one after the other (each a regular expression)."""
    at: list[int] = []
    start = 0
    for pattern in wanted:
        hit = next((i for i in range(start, len(lines)) if re.search(pattern, lines[i])), None)
        assert hit is not None, f"{pattern!r} not found after line {start}: {lines[start : start + 12]}"
        at.append(hit)
        start = hit
    return at


@pytest.fixture
def shizuoka_pdf(load_dataset, tmp_path):
    db = load_dataset("shizuoka_action_plan.json")
    out = tmp_path / "shizuoka.pdf"
    make_pdf(db, out, PrintJob())
    return out


def test_shizuoka_form1_has_as_is_gap_to_be_in_columns_and_a_roadmap_grid(shizuoka_pdf):
    lines = _lines(shizuoka_pdf, 1, 1)
    _in_order(
        lines,
        r"^重点項目名 1-1 行政サービスのオンライン化",
        r"^現状と目指す姿$",
        # three columns: the labels side by side, then the texts side by side
        r"^現状（As-Is） 課題（Gap） 目指す姿（To-Be）$",
        r"^電子申請システムを活用して行政手続のオン 電子申請可能な手続の拡充が必要 1\. 原則、",
        r"^主な取組とロードマップ$",
        r"R6年度 R7年度 R8年度$",
        r"^取組 効果・KPI$",
        # 取組, 効果・KPI, 現状／目標値 and the years in their own cells, one block per 取組
        r"^1\. 行政手続のオンライン化 電子申請システムの年間受付 298,621件（R5） オンライン申請手続数の拡大",
        r"^（1-1-2） 件数 375,000件（R8）$",
        r"^2\. 統合データ基盤の活用 住民ポータルサイトのアクセ —（R5） 概念設計 基盤構築 サービス提供$",
        r"^スマートシティ推進協議会の運営$",  # the 取組's second band, across the three years
        r"^3\. ぴったりサービスの活用 次期オンライン申請サービス 令和8年度以降の移行 ぴったりサービスの運用 次期サービスへの移",
        r"^次期サービスの情報収集・移行準備等$",
    )
    text = "\n".join(lines)
    # the same activity in R6, R7 and R8 is one bar, not three cells
    assert text.count("オンライン申請手続数の拡大・利用者数の拡大") == 1
    # 取組 and KPI are two fields, never one string
    assert "：電子申請システム" not in text
    # the 主な取組 attribute is the grid's first column, not a 基本情報 row
    assert "主な取組" not in text.split("主な取組とロードマップ")[0]


def test_shizuoka_form2_prints_its_cost_lines_and_pdca_tags(shizuoka_pdf):
    pages = pdf_text(shizuoka_pdf, layout=True).split("\f")
    page = next(p for p in pages if "電子申請システム" in p and "様式②" in p)
    lines = [re.sub(r"\s+", " ", x).strip() for x in page.splitlines() if x.strip()]
    _in_order(
        lines,
        r"^内容 ［PLAN/DO］$",
        r"^概要 利用者（市民、事業者）",
        r"^経費 ［PLAN/DO］$",
        r"^導入経費 13,365千円$",
        r"^運用経費 3,888千円/年（R8）$",
        r"^効果・課題等 ［CHECK］$",
        r"^効果$",
        r"^課題（CHECK）$",
        r"^利益最大化のために何を オンライン化未対応の手続のうち",
        r"^すべきか（ACT） ",
    )
    assert "予算額" not in page and "決算額" not in page
    portal = next(p for p in pages if "統合データ基盤" in p and "様式②" in p)
    assert re.search(r"運用経費\s+18,000千円/年（R8\.3～）", portal)
    picchiri = next(p for p in pages if "ぴったりサービス" in p and "様式②" in p)
    assert re.search(r"導入経費\s+0千円", picchiri) and re.search(r"運用経費\s+0千円/年（R5）", picchiri)


@pytest.fixture
def akita_pdf(load_dataset, tmp_path):
    db = load_dataset("akita_progress_evaluation.json")
    out = tmp_path / "akita.pdf"
    make_pdf(db, out, PrintJob())
    return out


def test_akita_cost_breakdown_is_two_tables_side_by_side(akita_pdf):
    pages = pdf_text(akita_pdf, layout=True).split("\f")
    page = next(p for p in pages if "書かない窓口の導入" in p)
    lines = [re.sub(r"\s+", " ", x).strip() for x in page.splitlines() if x.strip()]
    _in_order(
        lines,
        r"^進捗評価$",
        r"^取組結果$",
        r"^事業費内訳$",
        r"^予算額 決算額 予算額 決算額$",
        r"^経費の項目 財源$",
        # by item on the left, by funding source on the right, row by row
        r"^委託料（導入検討） 3,718 3,718 特定財源 国 1,859 1,859$",
        r"^県$",
        r"^市債$",
        r"^その他$",
        r"^一般財源 1,859 1,859$",
        r"^事業費計 3,718 3,718 計 3,718 3,718$",
        r"^主な内容 書かない窓口ツールの導入検討・一部窓口での実証の委託$",
        r"^特定財源の内訳 国庫支出金（補助率1/2） 1,859千円$",
    )


def test_akita_progress_line_holds_the_actual_and_the_reference_value(akita_pdf):
    pages = pdf_text(akita_pdf, layout=True).split("\f")
    page = next(p for p in pages if "子育て情報のプッシュ型通知" in p and "進捗評価" in p)
    lines = [re.sub(r"\s+", " ", x).strip() for x in page.splitlines() if x.strip()]
    at = _in_order(
        lines,
        r"^進捗評価$",
        r"^ライフサイクル 段階4（環境変化対応期）（評価指標管理対象）",  # the city's own wording
        r"^進捗評価 C 【実績値】45\.4%（R5） 【参考値】第一子目の母子健康手帳交付者数を分母とする",
        r"^取組結果$",
    )
    assert at[2] < at[3]
    first = next(p for p in pages if "行政手続のオンライン化" in p and "進捗評価" in p)
    assert re.search(r"進捗評価\s+B\s+【実績値】46\.2%（R5）", first)
    assert "【参考値】" not in first  # no reference value entered for that year
    schedule = next(p for p in pages if "段階1" in p)
    assert "段階1（構築期）（スケジュール管理対象）" in re.sub(r"\s+", "", schedule)


def test_funding_labels_map_to_the_printed_sources():
    assert [funding_source(x) for x in ("国庫支出金", "県支出金", "地方債", "一般財源", "寄附金")] == [
        "国",
        "県",
        "市債",
        "一般財源",
        "その他",
    ]


def test_new_fields_survive_a_dataset_round_trip(load_dataset):
    """Export then import the two samples: the 取組 list, roadmap cells, cost lines, 事業費内訳 texts,
    the 参考値 and the print settings come back unchanged (no new tables, no migration)."""
    for sample in ("shizuoka_action_plan.json", "akita_progress_evaluation.json"):
        data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
        db = load_dataset(sample, name=f"{sample}.a.sqlite")
        with db.session(audit=False) as s:
            exported = export_dataset(s, data["plan"]["code"])
        again = load_dataset(exported, name=f"{sample}.b.sqlite")
        with again.session(audit=False) as s:
            back = export_dataset(s, data["plan"]["code"])
        for key in ("cost_lines", "part_tags", "print_labels", "text_fields", "sheet_parts"):
            assert back["plan"]["settings"].get(key) == data["plan"]["settings"].get(key), key
        by_code = {m["code"]: m for m in back["measures"]}
        for m in data["measures"]:
            got = by_code[m["code"]]
            assert got.get("attributes", {}) == m.get("attributes", {})
            for fy, year in m.get("years", {}).items():
                assert got["years"][fy].get("texts", {}) == year.get("texts", {}), (m["code"], fy)
            items = [
                (it["fy"], it.get("category", "expense"), it["label"], it.get("budget"), it.get("settlement"))
                for it in m.get("cost_items", [])
            ]
            got_items = [
                (it["fy"], it.get("category", "expense"), it["label"], it.get("budget"), it.get("settlement"))
                for it in got.get("cost_items", [])
            ]
            norm = [
                (a, b, c, d and Decimal(d.replace(",", "")), e and Decimal(e.replace(",", "")))
                for a, b, c, d, e in items
            ]
            got_norm = [
                (a, b, c, d and Decimal(str(d).replace(",", "")), e and Decimal(str(e).replace(",", "")))
                for a, b, c, d, e in got_items
            ]
            assert got_norm == norm, m["code"]
            for ind, got_ind in zip(m.get("indicators", []), got.get("indicators", []), strict=True):
                for fy, v in ind.get("values", {}).items():
                    if "note" in v:
                        assert got_ind["values"][fy]["note"] == v["note"]
