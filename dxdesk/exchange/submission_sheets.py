"""The cover and the list sheet of a submission workbook.

The cover says what the file is (section, fiscal year, revision, 作成者, 所属長確認, created-at, the
certificate's fingerprint) and that editing it invalidates the signature. The list has one row per
measure: its indicators (one per line), target, actual and 達成率 of the year, the suggested and the
reported grade, and 方向性. Both print on A4 (the list in landscape).
"""

from __future__ import annotations

from collections.abc import Mapping

from dxdesk.domain.fiscal import fy_label, fy_short
from dxdesk.domain.rates import achievement_rate
from dxdesk.exchange.layout import C, Form, draw_cover, text_units
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.store.queries import MeasureRow

__all__ = ["NOTICE", "draw_list", "draw_submission_cover"]

NOTICE = (
    "このファイルは dxdesk で電子署名されています。セルを書き換えて保存すると署名が無効になり、"
    "中央で受け付けられません。修正は dxdesk で行い、もう一度書き出してください。"
    "（表示・印刷・別名での保存は問題ありません。）"
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def draw_submission_cover(
    book: WorkbookBuilder, cover: Mapping[str, str], fiscal_year: int, title: str | None = None
) -> None:
    """The 表紙, titled like the plan's printed sheets (「令和5年度　事務事業マネジメントシート」)."""
    rows = (
        ("計画", "plan"),
        ("課所室", "section"),
        ("年度", "fiscal_year"),
        ("版", "revision"),
        ("作成者", "author"),
        ("所属長確認", "chief"),
        ("作成日時", "created_at"),
        ("施策数", "measures"),
        ("評価の内訳", "grades"),
        ("証明書の指紋（SHA-256）", "fingerprint"),
        ("証明書番号", "serial"),
        ("前の版のハッシュ", "previous"),
    )
    label = fy_label(fiscal_year)
    draw_cover(
        book,
        title or f"{label}　施策評価シート",
        "提出ファイル",
        [(t, cover[k]) for t, k in rows],
        NOTICE,
        label,
    )


def _join(lines: list[str]) -> str:
    return "\n".join(lines)


def draw_list(
    book: WorkbookBuilder,
    fy: int,
    rows: list[MeasureRow],
    sheet_names: Mapping[str, str],
    section_label: str,
) -> None:
    longest = max(
        (text_units(f"①{ind.name}（{ind.unit}）") for r in rows for ind in r.snapshot.indicators),
        default=20.0,
    )
    # the indicator column is as wide as the longest indicator (within reason), so that each
    # indicator stays on one line beside its own target, actual and rate
    code_w = max(8.0, max((text_units(r.code) for r in rows), default=6.0) + 2.0)
    widths = [code_w, 24.0, 7.0, min(60.0, max(30.0, longest + 2.0)), 12.0, 12.0, 9.0, 7.0, 7.0, 11.0, code_w]
    f = Form(
        book,
        "一覧",
        widths,
        landscape=True,
        title_rows="1:2",
        header=(section_label, "施策一覧", fy_label(fy)),
    )
    f.title(f"{fy_label(fy)}　施策一覧（{section_label}）", bind="表題", height=28)
    heads = (
        "コード",
        "施策名",
        "ステージ",
        "指標",
        f"{fy_short(fy)} 目標",
        f"{fy_short(fy)} 実績",
        "達成率",
        "算出評価",
        "評価",
        "方向性",
        "シート",
    )
    f.line(*(C(h, 1, "label") for h in heads), min_lines=2)
    for r in rows:
        m = r.snapshot
        active = [ind for ind in m.indicators if ind.active_in(fy)]
        names: list[str] = []
        targets: list[str] = []
        actuals: list[str] = []
        rates: list[str] = []
        for i, ind in enumerate(active):
            mark = _CIRCLED[i] if i < len(_CIRCLED) else f"({i + 1})"
            names.append(f"{mark}{ind.name}（{ind.unit}）" if ind.unit else f"{mark}{ind.name}")
            t, a = ind.target_for(fy), ind.year(fy).actual
            targets.append(t.display())
            actuals.append(a.display())
            rates.append("" if a.is_blank else achievement_rate(ind.direction, t, a, ind.baseline).display)
        grade = r.evaluation.grade_display or "—"
        suggested = r.evaluation.suggested.value if r.evaluation.suggested else "—"
        stage = r.stage.short if r.stage else ""
        c = r.code
        f.line(
            C(c, 1, "top_center", f"{c} コード"),
            C(m.name, 1, "top", f"{c} 施策名"),
            C(stage, 1, "top_center", f"{c} ステージ"),
            C(_join(names), 1, "top", f"{c} 指標"),
            C(_join(targets), 1, "top_num", f"{c} 目標"),
            C(_join(actuals), 1, "top_num", f"{c} 実績"),
            C(_join(rates), 1, "top_num", f"{c} 達成率"),
            C(suggested, 1, "top_center", f"{c} 算出評価"),
            C(grade, 1, "top_center", f"{c} 評価"),
            C(m.sheet.direction or "", 1, "top_center", f"{c} 方向性"),
            C(sheet_names.get(c, ""), 1, "top_center", f"{c} シート名"),
        )
    f.gap(6)
    f.line(C(f"施策数 {len(rows)}件", len(widths), "note"))
