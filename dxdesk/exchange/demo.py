"""The complete demo scenario of ``dxdesk demo DIR``, built through the real code paths.

    DIR/central.sqlite          the central office: plan, CA, issued credentials (nothing merged yet)
    DIR/kits/                   one kit per section and the passphrase slips (printable)
    DIR/sections/<code>.sqlite  each section's database, made by importing its kit with its passphrase
    DIR/submissions/            one signed submission per section

Without options the plan is the 「デモ市」 demo dataset; with sections / measures / seed it is a
synthetic plan of that size (``dxdesk.store.synthetic``). Each section's sheets of the survey year are
completed deterministically where the data leaves required fields empty (stage, required texts,
direction and its reason, override reasons, perspective scores; missing actuals get a value near the
target), so the pre-submission check has no errors and a submission can be exported. The demo data in
``resources/`` is not changed: the application's own demo still shows work left to do.

Sections are processed in parallel worker processes (import, completion and export are independent
per section); the central steps run first in this process.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dxdesk.domain.enums import Stage
from dxdesk.domain.settings import PlanSettings
from dxdesk.exchange.credentials_store import remember_section_passphrase
from dxdesk.exchange.errors import ExchangeError
from dxdesk.exchange.kit import issue_kits, owned_measures
from dxdesk.exchange.kit_import import import_kit
from dxdesk.exchange.parallel import map_in_processes
from dxdesk.exchange.submission import export_submission
from dxdesk.store.database import make_private, open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import Indicator, IndicatorValue, Measure, MeasureYear, PerspectiveScore, SheetText
from dxdesk.store.queries import current_plan
from dxdesk.store.settings_store import set_setting
from dxdesk.store.snapshot import plan_settings

__all__ = ["DemoScenario", "build_demo", "complete_for_submission"]

Progress = Callable[[int, int, str], None]

_AUTHORS = (
    "山田 太郎",
    "佐藤 花子",
    "鈴木 一郎",
    "高橋 美咲",
    "田中 健太",
    "伊藤 由美",
    "渡辺 翔",
    "中村 恵",
)
_CHIEFS = ("小林 正人", "加藤 真理", "吉田 浩二", "山本 直子", "松本 隆", "井上 幸子")
_RESULT_SENTENCES = (
    "年度当初の計画に沿って取組を進め、関係課と連携して進捗を毎月確認した。",
    "利用者の声を踏まえて手続の案内を見直し、問い合わせ件数の減少につなげた。",
    "職員向けの研修を実施し、新しい運用を全庁に周知した。",
    "事業者との定例会で課題を共有し、スケジュールどおりに作業を完了した。",
)
_REASONS = (
    "実績の推移と事業の進捗状況を踏まえ、今後の取組の方向を定めた。",
    "利用状況が伸びており、対象業務を広げることで効果が見込まれるため。",
    "成果指標の改善が続いており、同じ方法で取組を続けることが適切なため。",
)
_OVERRIDE = "指標の実績に加え、年度内に完了した取組の効果を総合的に判断したため。"  # filled whenever a grade was chosen


@dataclass
class DemoScenario:
    root: Path
    central: Path
    kits: list[Path] = field(default_factory=list)
    slips: Path | None = None
    sections: list[Path] = field(default_factory=list)
    submissions: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[rng.randrange(len(items))]


def _near_target(rng: random.Random, target: Decimal) -> str:
    """An actual between 85 % and 110 % of the target, with the target's decimals."""
    exp = target.as_tuple().exponent
    quantum = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
    factor = Decimal(85 + rng.randrange(26)) / 100
    return format((target * factor).quantize(quantum, rounding=ROUND_HALF_UP), "f")


def complete_for_submission(session: Session, fiscal_year: int, section_code: str, seed: str) -> int:
    """Fill what the pre-submission check requires (deterministically for ``seed``); returns the number
    of sheets touched. The export that follows runs the pre-submission check and refuses if anything
    is still missing."""
    plan = current_plan(session)
    if plan is None:
        raise ExchangeError("計画がありません")
    settings = plan_settings(plan)
    touched = 0
    for m in owned_measures(session, plan, fiscal_year, section_code):
        my = next((y for y in m.years if y.fiscal_year == fiscal_year), None)
        rng = random.Random(f"{seed}:{m.code}")
        if my is None:
            my = MeasureYear(fiscal_year=fiscal_year)
            m.years.append(my)
        _fill_actuals(m, fiscal_year, rng)
        _fill_sheet(my, m.kind, settings, rng, has_indicators=bool(m.indicators))
        touched += 1
    session.flush()
    return touched


def _fill_actuals(m: Measure, fy: int, rng: random.Random) -> None:
    ind: Indicator
    for ind in m.indicators:
        if (ind.valid_from_fy is not None and fy < ind.valid_from_fy) or (
            ind.valid_to_fy is not None and fy > ind.valid_to_fy
        ):
            continue
        row: IndicatorValue | None = next((v for v in ind.values if v.fiscal_year == fy), None)
        if row is None:
            row = IndicatorValue(fiscal_year=fy)
            ind.values.append(row)
        if row.actual is not None:
            continue
        if ind.value_type == "qualitative":
            row.actual = "達成" if rng.random() < 0.7 else "未達成"
            continue
        # near the year's target; for a reference indicator (target 0) near last year's actual
        previous = next(
            (
                v.actual
                for v in sorted(ind.values, key=lambda v: -v.fiscal_year)
                if v.fiscal_year < fy and v.actual
            ),
            None,
        )
        base = row.target if row.target is not None else ind.final_target
        if base in (None, "—") or _is_zero(base):
            base = previous
        try:
            row.actual = _near_target(rng, Decimal(base)) if base not in (None, "—") else "—"
        except ArithmeticError:
            row.actual = "—"


def _is_zero(text: str | None) -> bool:
    try:
        return text is not None and Decimal(text) == 0
    except ArithmeticError:
        return False


def _fill_sheet(
    my: MeasureYear, kind: str, settings: PlanSettings, rng: random.Random, *, has_indicators: bool
) -> None:
    if my.stage is None and settings.uses("evaluation", kind):
        my.stage = (Stage.EXPAND if has_indicators else Stage.BUILD).value
    texts = {t.field: t for t in my.texts}
    for spec in settings.text_fields:
        if not settings.uses(spec.part, kind):
            continue
        row = texts.get(spec.key)
        current = row.text if row is not None else ""
        if spec.required and not current.strip():
            current = "".join(rng.sample(_RESULT_SENTENCES, 2))
        if spec.limit is not None and len(current) > spec.limit:
            current = current[: spec.limit]
        if row is None and current:
            my.texts.append(SheetText(field=spec.key, text=current))
        elif row is not None and row.text != current:
            row.text = current
    if my.self_grade is not None and not my.grade_override_reason.strip():
        my.grade_override_reason = _OVERRIDE
    if settings.uses("direction", kind):
        options = settings.direction_options
        if not my.direction and options:
            my.direction = (
                options[rng.randrange(len(options))].key
                if rng.random() < 0.5
                else next((o.key for o in options if not o.reason_required), options[0].key)
            )
        opt = settings.direction_option(my.direction)
        if (opt is None or opt.reason_required) and not my.direction_reason.strip():
            my.direction_reason = _pick(rng, _REASONS)
    if settings.uses("perspectives", kind):
        have = {p.perspective for p in my.perspective_scores}
        for p in settings.perspectives:
            if p.key not in have:
                my.perspective_scores.append(PerspectiveScore(perspective=p.key, score=3 + rng.randrange(2)))
    my.entry_status = "complete"


def _section_job(job: tuple[str, str, str, str, int, str, str]) -> tuple[str, str, str, float]:
    """Import one kit, complete the sheets, export the submission (runs in a worker process)."""
    kit, passphrase, section_db, submissions, fy, code, template = job
    t = time.perf_counter()
    make_private(Path(section_db))  # owner-only like any database dxdesk creates; copyfile keeps the mode
    shutil.copyfile(template, section_db)  # an empty database at the newest migration
    result = import_kit(Path(kit), passphrase, Path(section_db).parent, db_path=Path(section_db))
    db = open_database(result.db_path)
    try:
        with db.session(user="デモデータ") as s:
            complete_for_submission(s, fy, code, seed=code)
        rng = random.Random(code)
        sub = export_submission(db, fy, code, _pick(rng, _AUTHORS), _pick(rng, _CHIEFS), Path(submissions))
    finally:
        db.dispose()
    return code, str(result.db_path), str(sub.path), time.perf_counter() - t


def build_demo(
    root: Path,
    *,
    sections: int | None = None,
    measures_per_section: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> DemoScenario:
    """Build the scenario in ``root`` (which must be empty or not exist)."""
    report = progress or (lambda _i, _n, _m: None)
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise ExchangeError(
            f"フォルダ「{root}」は空ではありません。空のフォルダか、新しいフォルダ名を指定してください。"
        )
    for sub in ("kits", "sections", "submissions"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    scenario = DemoScenario(root, root / "central.sqlite")
    t0 = time.perf_counter()
    data: dict[str, Any]
    if sections is None and measures_per_section is None and seed is None:
        from dxdesk.store.demo import demo_dataset

        data = demo_dataset()
    else:
        from dxdesk.store.synthetic import synthetic_dataset

        data = synthetic_dataset(sections or 12, measures_per_section or 5, seed if seed is not None else 1)
    n_workers = max(1, workers or os.cpu_count() or 1)
    report(0, 4, "中央のデータベースを作成しています")
    central = open_database(scenario.central)
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, data)
            set_setting(s, "role", "central")
            set_setting(s, "demo", "1")  # its CA key is sealed under the published demo passphrase
            set_setting(s, "plan_code", plan.code)
            fy = plan.current_fy
        if fy is None:
            raise ExchangeError("計画に調査年度（current_fy）がありません。")
        scenario.timings["central"] = time.perf_counter() - t0
        t = time.perf_counter()
        report(1, 4, "配布ファイルとパスワード通知書を作成しています")
        batch = issue_kits(central, fy, root / "kits", workers=n_workers)
        scenario.timings["kits"] = time.perf_counter() - t
    finally:
        central.dispose()
    scenario.kits = [k.path for k in batch.kits]
    for k in batch.kits:  # whoever built the demo holds its slips: no prompt in this session
        remember_section_passphrase(k.credential_serial, k.passphrase)
    scenario.slips = batch.slips_path
    template_dir = Path(tempfile.mkdtemp(prefix="dxdesk-demo-"))
    try:
        template = template_dir / "empty.sqlite"
        open_database(template).dispose()
        jobs = [
            (
                str(k.path),
                k.passphrase,
                str(root / "sections" / f"{k.section_code}.sqlite"),
                str(root / "submissions"),
                fy,
                k.section_code,
                str(template),
            )
            for k in batch.kits
        ]
        t = time.perf_counter()
        report(2, 4, "各課のデータベースと提出ファイルを作成しています")
        results: list[tuple[str, str, str, float]] = []
        for i, r in enumerate(map_in_processes(_section_job, jobs, n_workers)):
            results.append(r)
            if i % 10 == 9:
                report(2, 4, f"各課のデータベースと提出ファイルを作成しています（{i + 1}/{len(jobs)}）")
    finally:
        shutil.rmtree(template_dir, ignore_errors=True)
    scenario.timings["sections"] = time.perf_counter() - t
    scenario.sections = [Path(r[1]) for r in results]
    scenario.submissions = [Path(r[2]) for r in results]
    scenario.timings["total"] = time.perf_counter() - t0
    report(4, 4, "完了しました")
    return scenario
