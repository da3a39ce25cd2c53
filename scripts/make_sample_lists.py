"""Write the example plan lists of resources/samples/lists/: each as a municipality's office types its
own one-row-per-measure (or per-indicator) list in Excel — a title above the table, merged header
cells, values written as published (「12.5%」「累計8件」「16団体(R7)」「△5」). The figures come from the
published documents in ../shared/seeds/. ``tests/central/test_list_import.py`` checks what each one
imports as.

    .venv/bin/python scripts/make_sample_lists.py        (rewrites the files)
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parents[1] / "resources" / "samples" / "lists"

# the KPI block of a published list's two-row header: R5–R7 each over two cells (目標/予定 and 実績)
KPI_COLUMNS = ("KPI", "単位", "基準値", "R5", None, "R6", None, "R7", None, "最終目標")


def _sheet(wb: Workbook, title: str):  # type: ignore[no-untyped-def]
    ws = wb.active
    ws.title = title
    return ws


def sasebo(path: Path) -> None:
    """佐世保市 DX戦略 実行計画: 分野 → DX重点課題 → 課題, one row per KPI, years as merged 「R3」 over
    「予定」「実績」."""
    wb = Workbook()
    ws = _sheet(wb, "KPI一覧")
    ws["A1"] = "佐世保市DX戦略 実行計画　重点課題KPI一覧（令和7年度末時点）"
    ws["A1"].font = Font(bold=True, size=14)
    top = [
        "分野",
        "DX重点課題",
        "課題",
        "主体部局",
        "担当課",
        *KPI_COLUMNS,
        "算出式・設定根拠",
    ]
    below = [None] * 8 + ["予定", "実績", "予定", "実績", "予定", "実績", None, None]
    ws.append([])
    ws.append(top)
    ws.append(below)
    for c in (9, 11, 13):
        ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=c + 1)
    for c in (1, 2, 3, 4, 5, 6, 7, 8, 15, 16):
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    rows = [
        [
            "まちづくり",
            "農林水産業",
            "担い手の確保・継続・育成",
            "農林水産部",
            "農業畜産課",
            "新規就農者数（累計）",
            "人",
            "累計 12 人",
            "累計 20 人",
            "累計 18 人",
            "累計 25 人",
            "累計 27 人",
            "累計 30 人",
            None,
            "累計 40 人(R9)",
            "新規就農者の累計",
        ],
        [
            None,
            None,
            "生産性・付加価値の高い農林業・漁業の実現",
            "農林水産部",
            "農林整備課",
            "スマート農業機器の導入件数",
            "件",
            "8件",
            "10件",
            "12件",
            "14件",
            "15件",
            "16件",
            None,
            "20件(R9)",
            "補助事業による導入件数",
        ],
        [
            "行政経営",
            "行政サービス",
            "簡単で便利な手続",
            "総務部",
            "DX推進課",
            "電子申請の利用率",
            "%",
            "12.5%",
            "20.0%",
            "18.4%",
            "25.0%",
            "26.1%",
            "30.0%",
            None,
            "40.0%(R9)",
            "電子申請件数÷申請総件数",
        ],
        [
            None,
            None,
            None,
            "総務部",
            "DX推進課",
            "書かない窓口の利用者数",
            "人",
            "累計 3,210 人",
            "累計 5,000 人",
            "累計 4,812 人",
            "累計 7,000 人",
            "累計 7,450 人",
            "累計 9,000 人",
            None,
            "約 12,000人",
            "窓口支援システムの利用者",
        ],
        [
            None,
            None,
            "業務の効率化",
            "総務部",
            "行政改革推進課",
            "RPA等による削減時間",
            "時間",
            "2,400 時間/年",
            "3,000 時間/年",
            "3,120 時間/年",
            "3,500 時間/年",
            "3,610 時間/年",
            "4,000 時間/年",
            None,
            "5,000 時間/年(R9)",
            "削減時間の合計",
        ],
    ]
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["※ 「/」は該当なし。R7実績は令和8年度に確定します。"])
    for col in "ABCDEF":
        ws.column_dimensions[col].width = 18
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb.save(path)


def nagasaki(path: Path) -> None:
    """長崎県 事業群評価: one row per 事業 with its indicators on the rows below (merged 事業 cells)."""
    wb = Workbook()
    ws = _sheet(wb, "事業一覧")
    ws["A1"] = "令和2年度 政策評価　事業群評価調書（情報政策）"
    ws["A2"] = "（単位：千円）"
    ws.append(
        [
            "取組項目",
            "中核事業",
            "事業番号",
            "事務事業名",
            "所管課（室）名",
            "事業期間",
            "主な指標",
            "単位",
            "基準値",
            "R2目標",
            "R2実績",
            "最終目標（年度）",
        ]
    )
    rows = [
        [
            "i ii iii iv vii",
            "○",
            "1",
            "ながさきSociety5.0推進費",
            "次世代情報化推進室",
            "R2-7",
            "課題解決手法の提案数（累計）",
            "件",
            None,
            "累計 10 件",
            "累計 12 件",
            "累計 30 件(R7)",
        ],
        [None, None, None, None, None, None, "実証実験及び社会実装数", "件", None, "5", "2", "20件(R7)"],
        [
            "v",
            "○",
            "3",
            "電子県庁推進事業",
            "情報システム課",
            "H13-",
            "システムの改修等数",
            "回",
            None,
            "4",
            "11",
            "—",
        ],
        [
            None,
            None,
            None,
            None,
            None,
            None,
            "庁外向けシステム利用件数",
            "件",
            "361,091件(R元)",
            "386,524",
            "413,852",
            None,
        ],
        [
            "vi",
            "○",
            "4",
            "スマート県庁プロジェクト",
            "情報システム課",
            "R2-",
            "RPA作成ロボット数（累計）",
            "体",
            None,
            "40",
            "20",
            None,
        ],
        [
            None,
            None,
            None,
            None,
            None,
            None,
            "長崎県自治体クラウドサービス県内利用団体数",
            "団体",
            "5団体(R元)",
            "8団体",
            "8団体",
            "16団体(R7)",
        ],
    ]
    for row in rows:
        ws.append(row)
    for c in range(1, 7):
        for r in (4, 6, 8):
            ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
    wb.save(path)


def tsukuba(path: Path) -> None:
    """つくば市 事務事業マネジメントシートの一覧: one row per indicator, 事務事業 repeated."""
    wb = Workbook()
    ws = _sheet(wb, "指標一覧")
    ws.append(["令和5年度 事務事業マネジメントシート 指標一覧"])
    ws.append([])
    ws.append(
        [
            "事務事業名",
            "担当部課",
            "予算科目",
            "指標名",
            "単位",
            "指標の種類",
            "R3目標",
            "R3実績",
            "R4目標",
            "R4実績",
            "R5目標",
            "指標の概要",
        ]
    )
    rows = [
        [
            "情報通信ネットワーク運営業務",
            "政策イノベーション部情報政策課",
            "01-020108-15",
            "年間のネットワーク停止時間",
            "分",
            "活動指標",
            "２８０．０",
            "０．０",
            "280.0",
            "21.1",
            "16.0",
            "計画停止を除く",
        ],
        [
            "情報通信ネットワーク運営業務",
            "政策イノベーション部情報政策課",
            "01-020108-15",
            "ヘルプデスク対応件数",
            "件",
            "活動指標",
            "1,500",
            "1,570",
            "1,500",
            "1,612",
            "1,500",
            None,
        ],
        [
            "窓口支援システム運用業務",
            "市民部市民窓口課",
            "01-020301-01",
            "窓口の平均待ち時間",
            "分",
            "成果指標",
            "15.0",
            "18.2",
            "12.0",
            "13.5",
            "10.0",
            "減少が望ましい",
        ],
        [
            "窓口支援システム運用業務",
            "市民部市民窓口課",
            "01-020301-01",
            "キャッシュレス決済の利用割合",
            "%",
            "成果指標",
            "20.0％",
            "22.6％",
            "30.0％",
            "31.4％",
            "40.0％",
            None,
        ],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)


def akita(path: Path) -> None:
    """秋田市型 個別施策の進捗評価の一覧: ライフサイクル, KPI with 基準値・目標値, 実績 and a 参考値, grade A–D."""
    wb = Workbook()
    ws = _sheet(wb, "進捗評価")
    ws.append(["令和6年度 個別施策の進捗評価一覧"])
    ws.append(
        [
            "施策名",
            "関連課所室",
            "ライフサイクル",
            "評価指標（KPI）",
            "基準値",
            "目標値",
            "R6実績",
            "参考値",
            "進捗評価",
        ]
    )
    rows = [
        [
            "行政手続のオンライン化",
            "情報統計課、市民課",
            "拡大期",
            "オンライン申請の利用割合（申請割合×決済割合）",
            "12.5%",
            "60.0%(R7)",
            "38.2%",
            "41.0%",
            "B",
        ],
        [
            "庁内業務システムの標準化",
            "情報統計課",
            "構築期",
            "標準化対象業務の移行",
            "0業務",
            "20業務(R7)",
            "12業務",
            None,
            "C",
        ],
        [
            "キャッシュレス決済の導入",
            "会計課",
            "安定期",
            "キャッシュレス決済の利用件数",
            "累計 3,210 件",
            "累計 10,000 件(R7)",
            "累計 8,120 件",
            None,
            "A",
        ],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)


def shizuoka(path: Path) -> None:
    """静岡市型 アクションプラン 様式①の主な取組: 取組 code, 効果・KPI with 現状 (R5) and 目標値 (R8), some
    qualitative (「移行完了」)."""
    wb = Workbook()
    ws = _sheet(wb, "主な取組")
    ws.append(["重点項目1　行政手続のデジタル化"])
    ws.append(["重点項目", "取組", "取組名", "担当課", "効果・KPI", "現状（R5）", "目標値（R8）"])
    rows = [
        [
            "行政手続のデジタル化",
            "1-1-1",
            "オンライン申請の拡大",
            "デジタル推進課",
            "オンライン申請可能な手続数",
            "120手続",
            "300手続",
        ],
        [
            None,
            "1-1-2",
            "基幹業務システムの標準化",
            "デジタル推進課",
            "標準準拠システムへの移行",
            "未着手",
            "移行完了",
        ],
        [
            None,
            "1-2-1",
            "窓口のキャッシュレス化",
            "市民総務課",
            "キャッシュレス対応窓口の割合",
            "35.0％",
            "100.0％",
        ],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sasebo(OUT / "sasebo_kpi_list.xlsx")
    nagasaki(OUT / "nagasaki_jigyo_list.xlsx")
    tsukuba(OUT / "tsukuba_indicator_list.xlsx")
    akita(OUT / "akita_progress_list.xlsx")
    shizuoka(OUT / "shizuoka_action_list.xlsx")
    for p in sorted(OUT.glob("*.xlsx")):
        print(p.relative_to(OUT.parents[2]))


if __name__ == "__main__":
    main()
