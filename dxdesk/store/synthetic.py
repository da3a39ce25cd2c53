"""Synthetic plan datasets of any size, deterministic for a seed, for benchmarks and scale tests.

``synthetic_dataset(sections=200, measures_per_section=10, seed=1)`` returns a ``dxdesk/dataset/1`` dict
whose measures cover every sheet variant the demo data covers (事務事業 with costs and perspective
scores; KPI-managed with baseline and plan-end target; schedule-managed with milestones; stages 3 and 5;
cumulative, lower-is-better, qualitative and reference indicators; 「—」 cells) with realistic text
lengths. The same arguments always give the same dataset (``random.Random(seed)``, no clock, no hash
randomisation).
"""

from __future__ import annotations

import random
from typing import Any

from dxdesk.store.dataset import FORMAT

__all__ = ["synthetic_dataset"]

_SUBJECTS = (
    "電子申請",
    "窓口",
    "庁内ネットワーク",
    "基幹系システム",
    "オープンデータ",
    "RPA",
    "AI-OCR",
    "テレワーク",
    "キャッシュレス決済",
    "防災情報",
    "子育て支援アプリ",
    "GIS",
    "文書管理",
    "電子決裁",
    "情報セキュリティ",
    "観光データ",
    "スマート農業",
    "学校ICT",
    "公共施設予約",
    "コールセンター",
)
_ACTIONS = ("推進", "拡充", "運用", "整備", "高度化", "利用促進", "標準化対応", "効率化")
_OBJECTS = (
    "窓口受付",
    "庁内事務",
    "住民通知",
    "施設管理",
    "相談対応",
    "統計分析",
    "防災訓練",
    "広報発信",
    "税務処理",
    "福祉給付",
    "保育申込",
    "道路点検",
    "水道検針",
    "ごみ収集",
    "図書貸出",
    "健診予約",
    "議会資料",
    "入札契約",
    "職員研修",
    "文化事業",
    "地域交通",
    "農地管理",
    "観光案内",
    "学校運営",
    "消防通報",
)
_INDICATORS = (
    ("{s}の利用件数", "件", "outcome", "up"),
    ("{s}の利用率", "%", "outcome", "up"),
    ("{s}に関する研修の受講者数", "人", "activity", "up"),
    ("{s}の処理時間", "分", "outcome", "down"),
    ("{s}の説明会の開催回数", "回", "activity", "up"),
    ("{s}の対応手続数（累計）", "件", "outcome", "up"),
)
_SENTENCES = (
    "{s}について、関係課と連携しながら計画どおり取組を進めた。",
    "年度当初に利用状況を分析し、課題の大きい業務から優先して見直しを行った。",
    "職員向けの説明会を開催し、操作方法と運用ルールの周知を図った。",
    "利用者アンケートの結果を踏まえ、画面構成と案内文を改善した。",
    "国の標準仕様の改定に合わせて、調達仕様書の見直しを行った。",
    "システム障害の発生に備え、復旧手順書を更新し訓練を実施した。",
    "事業者との定例会を毎月開催し、進捗と課題を共有した。",
    "実績値が目標値を下回ったため、周知方法を見直す必要がある。",
    "{s}の対象業務を拡大し、年間の処理件数が増加した。",
    "予算の範囲内で機器の更新を行い、安定した運用を確保した。",
)
_ISSUES = (
    "専門性が高い業務であるため、担当職員の育成が必要である。",
    "機器や外部サービスの価格が上昇傾向にあり、歳出の増加が見込まれる。",
    "利用が一部の部署にとどまっており、全庁的な展開が課題である。",
    "紙の申請が依然として多く、オンライン化の効果が十分に表れていない。",
)
_DIRECTIONS = ("拡大・拡充", "継続", "改善", "現状維持", "縮小")
_FIELDS = ("まちづくり", "くらし・子育て", "行政経営", "産業・観光", "教育・文化")


def _text(rng: random.Random, subject: str, min_chars: int, max_chars: int) -> str:
    target = rng.randint(min_chars, max_chars)
    out = ""
    while len(out) < target:
        out += rng.choice(_SENTENCES).format(s=subject)
    return out[: max(target, 1)]


def _series(rng: random.Random, years: list[int], base: int, growth: float, decimals: int) -> list[str]:
    vals = []
    v = float(base)
    for _ in years:
        v = max(0.0, v * (1 + growth) + rng.uniform(-0.05, 0.05) * base)
        vals.append(f"{v:.{decimals}f}")
    return vals


def synthetic_dataset(
    sections: int = 12,
    measures_per_section: int = 5,
    seed: int = 1,
    *,
    first_fy: int = 2020,
    current_fy: int = 2026,
    indicators_per_measure: int | None = None,
    fill_current: float = 0.6,
    plan_code: str = "synthetic",
) -> dict[str, Any]:
    """A plan with ``sections`` sections of ``measures_per_section`` measures each.

    ``indicators_per_measure`` fixes the indicator count (else 1–4, varied); ``fill_current`` is the
    share of measures whose current-year sheet is already (partly) filled in.
    """
    rng = random.Random(seed)
    years = list(range(first_fy, current_fy + 1))
    history = years[:-1]
    n_bureaus = max(1, min(12, sections // 8 + 1))
    bureaus = [{"code": f"B{b + 1:02d}", "name": f"第{b + 1}部"} for b in range(n_bureaus)]
    secs = [
        {
            "code": f"S{i + 1:03d}",
            "name": f"{_SUBJECTS[i % len(_SUBJECTS)]}推進課{'' if i < len(_SUBJECTS) else i // len(_SUBJECTS) + 1}",
            "bureau": bureaus[i % n_bureaus]["code"],
        }
        for i in range(sections)
    ]
    tree: list[dict[str, Any]] = [
        {
            "code": f"{f + 1}",
            "name": name,
            "children": [{"code": f"{f + 1}-{k + 1}", "name": f"{name}の重点課題{k + 1}"} for k in range(3)],
        }
        for f, name in enumerate(_FIELDS)
    ]
    node_codes = [c["code"] for t in tree for c in t["children"]]
    settings = {
        "level_names": ["分野", "重点課題", "施策"],
        "measure_kinds": {"measure": "施策", "jimu": "事務事業"},
        "parts_by_kind": {
            "jimu": [
                "basic",
                "overview",
                "costs",
                "citizen",
                "indicators",
                "results",
                "evaluation",
                "perspectives",
                "direction",
            ]
        },
        "text_fields": [
            {"key": "prev_issue_response", "label": "前年度の課題への対応", "limit": 400},
            {"key": "result", "label": "取組結果", "limit": 800, "required": True},
            {"key": "outcome", "label": "成果", "limit": 800},
            {"key": "issue_business", "label": "課題（業務）", "limit": 400},
            {"key": "issue_org", "label": "課題（組織・予算等）", "limit": 400},
            {"key": "improvement_goal", "label": "改善目標", "limit": 400},
            {"key": "citizen_share", "label": "共有・理解", "part": "citizen", "limit": 200},
            {"key": "citizen_plan", "label": "企画・立案・計画", "part": "citizen", "limit": 200},
            {"key": "citizen_execute", "label": "実行", "part": "citizen", "limit": 200},
            {"key": "citizen_evaluate", "label": "評価・検証", "part": "citizen", "limit": 200},
        ],
    }
    measures: list[dict[str, Any]] = []
    variants = ("jimu", "kpi", "kpi", "schedule", "kpi", "stable", "kpi", "next", "kpi", "review")
    for si, sec in enumerate(secs):
        for mi in range(measures_per_section):
            variant = variants[(si * measures_per_section + mi) % len(variants)]
            serial = si * measures_per_section + mi
            subject = _SUBJECTS[serial % len(_SUBJECTS)]
            code = f"{sec['code'][1:]}-{mi + 1:02d}"
            # distinct names: subject × object × action cover 4,000 measures before repeating
            obj = _OBJECTS[(serial // len(_SUBJECTS)) % len(_OBJECTS)]
            action = _ACTIONS[(serial // (len(_SUBJECTS) * len(_OBJECTS))) % len(_ACTIONS)]
            name = f"{subject}を活用した{obj}の{action}"
            m: dict[str, Any] = {
                "code": code,
                "name": name,
                "node": node_codes[(si + mi) % len(node_codes)],
                "kind": "jimu" if variant == "jimu" else "measure",
                "owner": sec["code"],
                "purpose": _text(rng, subject, 30, 80),
                "summary": _text(rng, subject, 60, 200),
                "target_group": rng.choice(("市民", "市職員", "事業者", "子育て世帯", "観光客")),
                "budget_item": f"01-{rng.randint(10000, 99999):06d}-{rng.randint(10, 30)}",
                "sdgs": sorted(rng.sample(range(1, 18), rng.randint(1, 3))),
                "period_label": "毎年度",
                "leading": rng.random() < 0.2,
            }
            n_ind = indicators_per_measure or rng.randint(1, 4)
            indicators = []
            for k in range(n_ind):
                tmpl, unit, kind, direction = _INDICATORS[(mi + k) % len(_INDICATORS)]
                if variant == "kpi" and k == 0 and (si + mi) % 7 == 3:
                    kind = "activity"  # some output-only KPI measures for the audit checks
                decimals = 1 if unit == "%" else 0
                base = rng.randint(20, 80) if unit == "%" else rng.randint(10, 5000)
                cumulative = "累計" in tmpl
                growth = 0.08 if direction == "up" else -0.05
                targets = _series(rng, years, base, growth + 0.02, decimals)
                # actual growth varies around the target's, so every grade occurs
                actuals = _series(rng, history, base, growth + rng.uniform(-0.08, 0.06), decimals)
                values: dict[str, dict[str, str]] = {}
                for y, t in zip(years, targets, strict=True):
                    values[str(y)] = {"target": t}
                for y, a in zip(history, actuals, strict=True):
                    values[str(y)]["actual"] = a
                if rng.random() < 0.1:
                    values[str(years[0])] = {"target": "—", "actual": "—"}
                if rng.random() < fill_current:
                    values[str(current_fy)]["actual"] = _series(rng, [current_fy], base, growth, decimals)[0]
                ind: dict[str, Any] = {
                    "name": tmpl.format(s=subject),
                    "unit": unit,
                    "kind": kind,
                    "direction": direction,
                    "cumulative": cumulative,
                    "baseline": targets[0] if rng.random() < 0.85 else None,
                    "baseline_fy": first_fy - 1,
                    "final_target": targets[-1],
                    "final_target_fy": current_fy + 1,
                    "rationale": _text(rng, subject, 20, 60),
                    "values": values,
                }
                if k == 3 and variant == "jimu":
                    ind.update(
                        reference_only=True,
                        note="※当該指標は参考としての指標であるため、目標値を0としている。",
                    )
                    for cell in values.values():
                        cell["target"] = "0"
                indicators.append(ind)
            if variant in ("kpi", "review") and rng.random() < 0.15:
                indicators.append(
                    {
                        "name": f"{subject}の次期環境への移行",
                        "value_type": "qualitative",
                        "kind": "outcome",
                        "values": {str(current_fy): {"target": "移行完了"}}
                        | {str(y): {"target": "—", "actual": "—"} for y in history[:2]},
                    }
                )
            m["indicators"] = indicators if variant not in ("schedule",) else indicators[:1]
            stage = {
                "jimu": "2",
                "kpi": rng.choice(("2", "4")),
                "schedule": "1",
                "stable": "3",
                "next": "5",
                "review": "3_4",
            }[variant]
            yrs: dict[str, Any] = {}
            for y in history:
                yrs[str(y)] = {
                    "stage": stage,
                    "texts": {"result": _text(rng, subject, 100, 400), "issue_business": rng.choice(_ISSUES)},
                    "direction": rng.choice(_DIRECTIONS),
                    "direction_reason": _text(rng, subject, 30, 120),
                    "entry_status": "complete",
                }
            cur: dict[str, Any] = {"stage": stage}
            if rng.random() < fill_current:
                cur["texts"] = {
                    "result": _text(rng, subject, 100, 400),
                    "outcome": _text(rng, subject, 50, 200),
                    "issue_business": rng.choice(_ISSUES),
                    "improvement_goal": _text(rng, subject, 40, 120),
                }
                cur["direction"] = rng.choice(_DIRECTIONS)
                cur["direction_reason"] = _text(rng, subject, 30, 120)
                cur["entry_status"] = "in_progress"
            if variant in ("schedule", "review"):
                statuses = ["done", "in_progress", "not_started"]
                cur["milestones"] = [
                    {
                        "text": f"{subject}の{step}",
                        "due_fy": current_fy - 1 + j,
                        "due_month": rng.choice((6, 9, 12, 3)),
                        "status": statuses[min(j, 2)] if rng.random() < 0.8 else "not_started",
                    }
                    for j, step in enumerate(("要件定義", "構築", "本番移行"))
                ]
            if variant == "jimu":
                cur["perspectives"] = {
                    p: rng.randint(2, 5) for p in ("needs", "progress", "involvement", "priority")
                }
                cur["texts"] = dict(cur.get("texts", {})) | {
                    f"citizen_{k}": "—" for k in ("share", "plan", "execute", "evaluate")
                }
                costs = {}
                for y in years[-5:]:
                    budget = rng.randint(5_000, 400_000)
                    settled = int(budget * rng.uniform(0.6, 1.0)) if y < current_fy else None
                    row = {
                        "budget": str(budget),
                        "personnel_cost": str(rng.randint(3_000, 15_000)),
                        "staff_ratio": f"{rng.choice((0.5, 1.0, 1.5, 2.0)):.2f}",
                        "overtime_hours": f"{rng.randint(0, 300)}.00",
                        "part_time_staff": rng.choice(("有", "無")),
                    }
                    if settled is not None:
                        nat = int(settled * rng.uniform(0, 0.2))
                        row |= {
                            "settlement": str(settled),
                            "fund_general": str(settled - nat),
                            "fund_national": str(nat),
                            "fund_prefecture": "0",
                            "fund_bonds": "0",
                            "fund_other": "0",
                        }
                    costs[str(y)] = row
                m["costs"] = costs
            yrs[str(current_fy)] = cur
            m["years"] = yrs
            measures.append(m)
    return {
        "format": FORMAT,
        "plan": {
            "code": plan_code,
            "name": f"合成データ計画（{sections}課×{measures_per_section}施策, seed={seed}）",
            "municipality": "合成市",
            "period_start_fy": first_fy,
            "period_end_fy": current_fy + 1,
            "version_label": "第1版",
            "current_fy": current_fy,
            "settings": settings,
        },
        "bureaus": bureaus,
        "sections": secs,
        "tree": tree,
        "measures": measures,
    }
