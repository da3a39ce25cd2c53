"""The merged workbook (全庁集計) and the fast year snapshots it is read with, on SQLite and PostgreSQL;
the schema on PostgreSQL."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from dxdesk.central.errors import ExportError
from dxdesk.central.merge import merge_paths
from dxdesk.central.workbook import export_merged_workbook
from dxdesk.domain.audit import check_measure, check_plan
from dxdesk.domain.grading import suggest_grade
from dxdesk.exchange.layout import text_units
from dxdesk.store.database import Database, open_database
from dxdesk.store.models import Base, Measure, MeasureSection, MeasureYear, SheetText
from dxdesk.store.queries import current_plan, section_names
from dxdesk.store.snapshot import load_snapshots, plan_settings, year_snapshots
from tests.central.conftest import FY, Scenario, libreoffice_convert
from tests.central.pg import PgServer

pytestmark = pytest.mark.usefixtures("cli_workdir")  # nothing is ever written to the repository root

FORMULA_TEXT = "=SUM(A1:A3) と書いても式にはなりません"


def _type_into_central(db: Database, code: str, text: str) -> None:
    """A text of the plan's first text field, as the central office could correct it."""
    with db.session() as s:
        plan = current_plan(s)
        assert plan is not None
        key = plan_settings(plan).text_fields[0].key
        my = s.scalar(
            select(MeasureYear).join(Measure).where(Measure.code == code, MeasureYear.fiscal_year == FY)
        )
        assert my is not None
        row = next((t for t in my.texts if t.field == key), None)
        if row is None:
            my.texts.append(SheetText(field=key, text=text))
        else:
            row.text = text


def test_merged_workbook_has_every_sheet_frozen_headers_filters_values_only(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    merge_paths(central, [*scenario.r1.values()])
    _type_into_central(central, "002-01", FORMULA_TEXT)
    with central.session() as s:  # fields only the plan master sets: in the workbook too
        m = s.scalar(select(Measure).where(Measure.code == "002-01"))
        assert m is not None
        m.legal_basis = "デモ市情報化推進条例"
        m.related_sections.append(MeasureSection(section_code="S001"))
    out = tmp_path / "集計"
    out.mkdir()
    result = export_merged_workbook(central, out)
    assert result.path == out / "R08_全庁集計.xlsx"

    with central.session() as s:
        plan = current_plan(s)
        assert plan is not None
        snaps = [x for _i, _n, x in year_snapshots(s, plan, FY)]
        settings = plan_settings(plan)
        names = section_names(s, FY)
    expected_rows = sum(max(1, sum(1 for i in m.indicators if i.active_in(FY))) for m in snaps)
    findings = [
        f
        for m in snaps
        for f in check_measure(
            m,
            settings,
            suggest_grade(
                m.sheet.stage, m.indicators, m.sheet.milestones, FY, settings.grade_tolerance_percent
            ),
        )
    ] + check_plan(snaps, settings, names)
    assert (result.rows, result.measures, result.findings) == (expected_rows, len(snaps), len(findings))

    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == [
        "全庁一覧",
        "評価分布",
        "監査指摘",
        "提出状況",
        "S001 電子申請推進課",
        "S002 窓口推進課",
        "S003 庁内ネットワーク推進課",
        "S004 基幹系システム推進課",
    ]
    ws = wb["全庁一覧"]
    header = [c.value for c in ws[1]]
    for h in (
        "分野",
        "部局",
        "課所室",
        "施策コード",
        "施策名",
        "提出状況",
        "版",
        "評価",
        "指標名",
        "R8 目標",
        "R8 実績",
        "達成率（%）",
        "方向性",
    ):
        assert h in header, h
    for spec in settings.text_fields:
        assert spec.label in header
    assert ws.freeze_panes == "H2"  # header and the code/name columns stay in view
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{expected_rows + 1}"
    assert ws.max_row == expected_rows + 1
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    col = {h: i for i, h in enumerate(header)}
    assert {r[col["課所室コード"]] for r in rows} == {"S001", "S002", "S003", "S004"}
    status = {r[col["課所室コード"]]: r[col["提出状況"]] for r in rows}
    assert status["S001"] == "提出済" and status["S004"] == "未提出"
    # the text that looks like a formula is text
    cell = next(c for row in ws.iter_rows(min_row=2) for c in row if c.value == FORMULA_TEXT)
    assert cell.data_type == "s"
    row = next(r for r in rows if r[col["施策コード"]] == "002-01")
    assert row[col["根拠法令等"]] == "デモ市情報化推進条例"
    assert row[col["関連課所室"]] == "電子申請推進課"
    # widths fit: the name column is as wide as the longest name (within its cap; longer ones wrap)
    longest = max(text_units(m.name) for m in snaps)
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col["施策名"] + 1)].width
    assert min(longest + 2, 24) - 0.5 <= width <= 24
    # numbers are numbers (sortable in Excel)
    assert any(isinstance(r[col["R8 実績"]], (int, float)) for r in rows)
    # grade distribution: every measure once by 分野 and once by 部局
    dist = list(wb["評価分布"].iter_rows(min_row=2, values_only=True))
    totals = {r[0]: r[-1] for r in dist if r[1] == "合計"}
    assert totals == {"分野別": len(snaps), "部局別": len(snaps)}
    assert wb["評価分布"].freeze_panes == "C2"
    assert wb["監査指摘"].max_row == len(findings) + 1
    assert wb["監査指摘"].auto_filter.ref
    st = {r[0]: r[3] for r in wb["提出状況"].iter_rows(min_row=2, values_only=True)}
    assert st == {"S001": "提出済", "S002": "提出済", "S003": "提出済", "S004": "未提出"}
    s002 = list(wb["S002 窓口推進課"].iter_rows(min_row=2, values_only=True))
    assert s002 == [r for r in rows if r[col["課所室コード"]] == "S002"]
    # values only: no formula anywhere
    with zipfile.ZipFile(result.path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_a_cancelled_or_failed_export_leaves_the_previous_file(central: Database, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "全庁集計.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(ExportError, match="中止しました"):
        export_merged_workbook(central, target, cancel=lambda: True)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["全庁集計.xlsx"]
    with pytest.raises(ExportError, match=r"\.xlsx で指定"):
        export_merged_workbook(central, tmp_path / "集計.csv")


def test_cli_export(central: Database, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from dxdesk.cli import main

    url = central.url
    central.dispose()
    assert main(["export", "--db", url, "--out", str(tmp_path / "x.xlsx")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK {tmp_path / 'x.xlsx'} 行=") and "課所室=4" in out
    assert main(["export", "--db", url, "--out", str(tmp_path / "x.xlsx"), "--fy", "令和99年度x"]) == 2


def test_year_snapshots_are_the_orm_snapshots(demo_db: Database) -> None:
    with demo_db.session() as s:
        plan = current_plan(s)
        assert plan is not None
        for fy in (plan.current_fy or 2026, (plan.current_fy or 2026) - 1, 2021):
            fast = [x for _i, _n, x in year_snapshots(s, plan, fy)]
            assert fast == load_snapshots(s, plan, fy)
        ids = {m.id: m.node_id for m in s.scalars(select(Measure).where(Measure.plan_id == plan.id))}
        assert {i: n for i, n, _x in year_snapshots(s, plan, FY)} == ids


def test_migrations_make_the_models_schema_on_postgresql(pg_server: PgServer) -> None:
    db = open_database(pg_server.create_database("schema_check"))
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
    finally:
        db.dispose()


def test_the_demo_merged_workbook_prints_one_page_wide_with_its_numbers_formatted(
    demo_db: Database, tmp_path: Path
) -> None:
    """Every sheet fits one page wide (the header row on every page), numbers have thousands
    separators, an indicator's value its own decimals and 「%」, long texts wrap; LibreOffice prints
    each sheet of the demo on one or two pages."""
    import subprocess

    from tests.report.conftest import pdf_page_texts, squeeze

    result = export_merged_workbook(demo_db, tmp_path / "全庁集計.xlsx")
    wb = openpyxl.load_workbook(result.path)
    for ws in wb:
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth, setup.fitToHeight, setup.orientation) == (1, 0, "landscape"), ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
    overview = wb["全庁一覧"]
    assert overview.page_setup.paperSize == 8  # A3
    assert overview.print_title_cols == "$F:$G"  # 施策コード and 施策名 on every page
    header = [c.value for c in overview[1]]
    col = {h: i for i, h in enumerate(header)}
    formats: dict[tuple[str, str], str] = {}
    for row in overview.iter_rows(min_row=2):
        unit = row[col["単位"]].value or ""
        for h in ("R8 目標", "R8 実績", "達成率（%）"):
            c = row[col[h]]
            if c.value is not None and not isinstance(c.value, str):
                formats.setdefault((h, unit), c.number_format)
        text = row[col["取組結果"]]
        if isinstance(text.value, str):
            assert text.alignment.wrap_text
    assert formats[("R8 目標", "%")].endswith('"%"')  # 10.0 shows 10.0%, not 1000%
    assert formats[("R8 目標", "件")].startswith("#,##0")
    assert not formats[("R8 目標", "件")].endswith('"%"')
    assert formats[("達成率（%）", "件")] == '#,##0.0"%"'
    # measure 089's reference target of 0 with no decimals is 0, not 0.0
    budget = next(h for h in header if h.endswith("予算額（千円）"))
    assert any(
        r[col[budget]].number_format == "#,##0" for r in overview.iter_rows(min_row=2) if r[col[budget]].value
    )

    pdf = libreoffice_convert(result.path, tmp_path, "pdf")
    pages = [squeeze(p) for p in pdf_page_texts(pdf)]
    # one page wide: every page of a wide list ends with the last column's header
    last = squeeze(header[-1])
    wide = [p for p in pages if "施策コード" in p and "指標名" in p]
    assert wide and all(last in p for p in wide)
    assert len(pages) < 2 * len(wb.sheetnames), len(pages)  # no sheet runs over many pages
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A3" in info or "1190" in info
