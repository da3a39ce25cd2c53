"""Read-only view of one measure's yearly sheet (HTML in a QTextBrowser).

Everything shown is computed by dxdesk (rates, grades, findings); this module only lays it out. The
editable forms replace this view part by part (entry application).
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from dxdesk.domain.audit import Finding
from dxdesk.domain.evaluation import stage_label
from dxdesk.domain.fiscal import fy_label, fy_short, years_up_to
from dxdesk.domain.grading import GradeSuggestion
from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.values import format_decimal, format_value
from dxdesk.section_desk import MeasureRow

CSS = """
body { font-size: 10pt; }
h2 { color: #1f3a5f; margin: 0 0 4px 0; }
h3 { color: #1f3a5f; border-bottom: 1px solid #9fb3cc; margin: 12px 0 4px 0; }
table { border-collapse: collapse; }
td, th { border: 1px solid #b9c4d3; padding: 2px 6px; }
th { background: #eef2f7; font-weight: normal; }
td.num { text-align: right; }
.grade { font-size: 16pt; font-weight: bold; color: #1f3a5f; }
.muted { color: #666666; }
.error { color: #b00020; }
.warning { color: #8a5a00; }
.info { color: #1f5f8b; }
"""


def _e(text: object) -> str:
    return escape(str(text)) if text is not None else ""


def _multiline(text: str) -> str:
    return _e(text).replace("\n", "<br>") if text else '<span class="muted">（未入力）</span>'


def render_measure(
    row: MeasureRow,
    settings: PlanSettings,
    fy: int,
    findings: list[Finding],
    section_names: dict[str, str],
) -> str:
    m = row.snapshot
    sheet = m.sheet
    parts = settings.entry_parts(m.kind)
    out = [f"<style>{CSS}</style>"]
    out.append(f"<h2>{_e(m.code)}　{_e(m.name)}</h2>")
    related = "、".join(section_names.get(c, c) for c in m.related_section_codes)
    stage = stage_label(sheet.stage) if sheet.stage else "未設定"
    out.append(
        f"<p>{_e(fy_label(fy))}　担当：{_e(row.section_name)}"
        + (f"　関連：{_e(related)}" if related else "")
        + f"　ライフサイクル：{_e(stage)}　状態：{_e(row.status.label)}</p>"
    )
    if "overview" in parts:
        out.append("<h3>事業の概要</h3><table>")
        for label, text in (("対象", m.target_group), ("目的", m.purpose), ("概要", m.summary)):
            out.append(f"<tr><th>{label}</th><td>{_multiline(text)}</td></tr>")
        out.append("</table>")
    if "indicators" in parts and m.indicators:
        out.append(_indicators(row, settings, fy))
    if "schedule" in parts and sheet.milestones:
        out.append("<h3>スケジュール</h3><table><tr><th>マイルストーン</th><th>予定</th><th>状況</th></tr>")
        for ms in sheet.milestones:
            due = fy_short(ms.due_fy) if ms.due_fy else ""
            out.append(f"<tr><td>{_e(ms.text)}</td><td>{_e(due)}</td><td>{_e(ms.status.label)}</td></tr>")
        out.append("</table>")
    if "costs" in parts and m.costs:
        out.append(_costs(row, settings, fy))
    for part in ("citizen", "results"):
        if part not in parts:
            continue
        fields = [f for f in settings.text_fields if f.part == part]
        if not fields:
            continue
        out.append(f"<h3>{'市民参加の取組状況' if part == 'citizen' else '事業の成果と課題'}</h3><table>")
        for f in fields:
            out.append(f"<tr><th>{_e(f.label)}</th><td>{_multiline(sheet.text(f.key))}</td></tr>")
        out.append("</table>")
    if "evaluation" in parts:
        out.append(_evaluation(row.suggestion, row))
    if "perspectives" in parts:
        out.append("<h3>観点別評価</h3><table>")
        for p in settings.perspectives:
            score = sheet.perspective_scores.get(p.key)
            out.append(
                f"<tr><th>{_e(p.label)}</th><td class='num'>{score or '—'}</td><td>{_e(p.descriptor(score))}</td></tr>"
            )
        out.append("</table>")
    if "direction" in parts:
        out.append("<h3>方向性</h3><table>")
        out.append(f"<tr><th>方向性</th><td>{_e(sheet.direction or '（未選択）')}</td></tr>")
        out.append(f"<tr><th>理由</th><td>{_multiline(sheet.direction_reason)}</td></tr></table>")
    if findings:
        out.append("<h3>チェック結果</h3><ul>")
        for f in findings:
            out.append(f"<li class='{f.severity.value}'>【{_e(f.severity.label)}】{_e(f.message)}</li>")
        out.append("</ul>")
    return "".join(out)


def _indicators(row: MeasureRow, settings: PlanSettings, fy: int) -> str:
    m = row.snapshot
    years = years_up_to(fy, settings.display_years)
    out = ["<h3>指標</h3>"]
    for i, ind in enumerate(m.indicators):
        head = f"{i + 1}. {_e(ind.name)}"
        meta = [ind.kind.label, ind.direction.label]
        if ind.unit:
            meta.append(f"単位：{ind.unit}")
        if ind.cumulative:
            meta.append("累計")
        if ind.baseline.is_entered:
            base_fy = f"（{fy_short(ind.baseline_fy)}）" if ind.baseline_fy else ""
            meta.append(
                f"基準値 {format_value(ind.baseline, ind.decimals, ind.unit, with_unit=True)}{base_fy}"
            )
        if ind.final_target.is_entered:
            fin_fy = f"（{fy_short(ind.final_target_fy)}）" if ind.final_target_fy else ""
            meta.append(
                f"最終目標 {format_value(ind.final_target, ind.decimals, ind.unit, with_unit=True)}{fin_fy}"
            )
        out.append(f"<p><b>{head}</b>　<span class='muted'>{_e('・'.join(meta))}</span></p>")
        out.append("<table><tr><th></th>" + "".join(f"<th>{fy_short(y)}</th>" for y in years) + "</tr>")
        out.append(
            "<tr><th>目標</th>"
            + "".join(
                f"<td class='num'>{_e(format_value(ind.year(y).target, ind.decimals, ind.unit))}</td>"
                for y in years
            )
            + "</tr>"
        )
        out.append(
            "<tr><th>実績</th>"
            + "".join(
                f"<td class='num'>{_e(format_value(ind.year(y).actual, ind.decimals, ind.unit))}</td>"
                for y in years
            )
            + "</tr>"
        )
        rates = [
            achievement_rate(ind.direction, ind.target_for(y), ind.year(y).actual, ind.baseline)
            for y in years
        ]
        out.append(
            "<tr><th>達成率</th>" + "".join(f"<td class='num'>{r.display}</td>" for r in rates) + "</tr>"
        )
        out.append("</table>")
        if ind.note:
            out.append(f"<p class='muted'>{_e(ind.note)}</p>")
    return "".join(out)


def _costs(row: MeasureRow, settings: PlanSettings, fy: int) -> str:
    m = row.snapshot
    years = sorted(m.costs)
    unit = settings.cost_unit
    lines = [
        ("予算額", "budget"),
        ("決算額", "settlement"),
        ("一般財源", "fund_general"),
        ("国庫支出金", "fund_national"),
        ("県支出金", "fund_prefecture"),
        ("地方債", "fund_bonds"),
        ("その他", "fund_other"),
        ("人件費計", "personnel_cost"),
    ]
    out = [f"<h3>事業費（{_e(unit)}）</h3><table><tr><th></th>"]
    out.append("".join(f"<th>{fy_short(y)}</th>" for y in years) + "</tr>")
    for label, attr in lines:
        cells = []
        for y in years:
            v = getattr(m.costs[y], attr)
            cells.append(f"<td class='num'>{format_decimal(v) if v is not None else ''}</td>")
        out.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    out.append("</table>")
    return "".join(out)


def _evaluation(s: GradeSuggestion, row: MeasureRow) -> str:
    if not row.evaluation.grades:
        return ""
    grade = (
        row.evaluation.suggested.value if row.evaluation.suggested else (row.evaluation.grade_display or "—")
    )
    out = ["<h3>自己評価</h3><table>"]
    out.append(f"<tr><th>算出結果</th><td><span class='grade'>{grade}</span>　{_e(s.explanation)}</td></tr>")
    if row.self_grade is not None and row.self_grade != s.grade:
        reason = row.snapshot.sheet.override_reason
        out.append(
            f"<tr><th>自己評価</th><td><span class='grade'>{row.self_grade.value}</span>"
            f"（算出結果から変更）　理由：{_multiline(reason)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


class MeasureView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenExternalLinks(False)
        self.setPlaceholderText("左の一覧から施策を選んでください。")

    def show_html(self, html: str) -> None:
        self.setHtml(html)
