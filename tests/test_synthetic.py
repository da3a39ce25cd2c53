"""Synthetic datasets for benchmarks: deterministic, importable, covering the sheet variants."""

from dxdesk.domain.audit import check_measure
from dxdesk.store.dataset import import_dataset
from dxdesk.store.queries import current_plan, measure_rows
from dxdesk.store.snapshot import plan_settings
from dxdesk.store.synthetic import synthetic_dataset


def test_same_seed_same_data_other_seed_other_data():
    assert synthetic_dataset(3, 4, seed=7) == synthetic_dataset(3, 4, seed=7)
    assert synthetic_dataset(3, 4, seed=7) != synthetic_dataset(3, 4, seed=8)


def test_sizes():
    d = synthetic_dataset(5, 6, seed=1, indicators_per_measure=3)
    assert len(d["sections"]) == 5
    assert len(d["measures"]) == 30
    assert all(
        len([i for i in m["indicators"] if i.get("value_type") != "qualitative"]) in (1, 3)
        for m in d["measures"]
    )


def test_imports_and_covers_variants(db):
    with db.session(audit=False) as s:
        import_dataset(s, synthetic_dataset(4, 10, seed=2))
    with db.session() as s:
        plan = current_plan(s)
        rows = measure_rows(s, plan, 2026)
        settings = plan_settings(plan)
        stages = {r.stage.value for r in rows if r.stage}
        kinds = {r.kind for r in rows}
        checks = {f.check_id for r in rows for f in check_measure(r.snapshot, settings, r.suggestion)}
        grades_2025 = {r.suggestion.grade for r in measure_rows(s, plan, 2025)}
    assert {"1", "2", "3", "3_4", "5"} <= stages
    assert kinds == {"measure", "jimu"}
    assert {"AUD-MISSING-ACTUAL", "REQ-TEXT"} <= checks
    assert len(grades_2025 - {None}) >= 2
