"""The bulk path of the dataset import stores exactly what the ORM path stores."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dxdesk.store.database import open_database
from dxdesk.store.dataset import DatasetError, export_dataset, import_dataset
from dxdesk.store.demo import demo_dataset
from dxdesk.store.synthetic import synthetic_dataset

TABLES = (
    "measure",
    "measure_section",
    "indicator",
    "indicator_value",
    "measure_year",
    "sheet_text",
    "perspective_score",
    "milestone",
    "cost_row",
    "cost_item",
)


def _rows(db):
    """Every row of the measure tables, without surrogate ids and timestamps (they may differ), sorted."""
    out = {}
    with db.engine.connect() as c:
        for t in TABLES:
            cols = [
                r[1]
                for r in c.execute(text(f"PRAGMA table_info({t})"))
                if r[1] != "id" and not r[1].endswith(("_id", "_at"))
            ]
            out[t] = sorted(
                tuple(str(v) for v in row) for row in c.execute(text(f"select {', '.join(cols)} from {t}"))
            )
    return out


@pytest.mark.parametrize(
    "dataset", [lambda: synthetic_dataset(4, 6, seed=3), demo_dataset], ids=["synthetic", "demo"]
)
def test_bulk_and_orm_paths_store_the_same(tmp_path, dataset):
    data = dataset()
    dbs = []
    for bulk in (True, False):
        db = open_database(tmp_path / f"{bulk}.sqlite")
        with db.session(audit=False) as s:
            import_dataset(s, data, bulk=bulk)
        dbs.append(db)
    try:
        assert _rows(dbs[0]) == _rows(dbs[1])
        with dbs[0].session() as a, dbs[1].session() as b:
            code = data["plan"]["code"]
            assert export_dataset(a, code) == export_dataset(b, code)
    finally:
        for db in dbs:
            db.dispose()


def test_bulk_import_reports_bad_values_with_their_place(tmp_path):
    data = synthetic_dataset(2, 2, seed=1)
    data["measures"][3]["indicators"][0]["values"]["2021"]["target"] = "abc"
    db = open_database(tmp_path / "x.sqlite")
    try:
        with (
            pytest.raises(DatasetError, match=r"measures\[3\]\.indicators\[0\]\.values\.2021\.target"),
            db.session(audit=False) as s,
        ):
            import_dataset(s, data)
        with db.session() as s:
            assert s.execute(text("select count(*) from measure")).scalar() == 0  # nothing half-imported
    finally:
        db.dispose()


def test_updating_after_a_bulk_import_goes_through_the_orm(tmp_path):
    data = synthetic_dataset(2, 3, seed=2)
    db = open_database(tmp_path / "u.sqlite")
    try:
        with db.session(audit=False) as s:
            import_dataset(s, data)
        data["measures"][0]["name"] = "名称を変更した施策"
        with db.session(audit=False) as s:
            import_dataset(s, data)
        with db.session() as s:
            names = [m["name"] for m in export_dataset(s, data["plan"]["code"])["measures"]]
        assert names[0] == "名称を変更した施策" and len(names) == 6
    finally:
        db.dispose()
