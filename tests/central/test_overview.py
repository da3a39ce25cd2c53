"""The plan overview of the central window, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from dxdesk.central.plan_master.overview import plan_overview
from dxdesk.store.database import Database
from dxdesk.store.models import Section


def test_sections_are_listed_in_the_organisations_order(central: Database) -> None:
    # PostgreSQL returns rows in no particular order unless asked: the list must follow sort_order
    with central.session() as s:
        for i, sec in enumerate(s.scalars(select(Section).order_by(Section.code.desc()))):
            sec.sort_order = i
    with central.session() as s:
        overview = plan_overview(s)
    assert overview is not None
    assert [x.code for x in overview.sections] == ["S004", "S003", "S002", "S001"]
    assert all(x.measures > 0 for x in overview.sections)
