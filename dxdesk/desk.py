"""What the two role façades share: the open database, its settings, the plan and its years.

:class:`dxdesk.section_desk.SectionDesk` (a section's year) and :class:`dxdesk.central.office.CentralOffice`
(the central office) derive from :class:`Desk`. A desk takes plain values and returns plain dataclasses
and domain types; sessions, ORM objects and SQL stay behind it (docs/core-api.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from dxdesk.domain.fiscal import survey_years
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.database import Database
from dxdesk.store.models import CentralCA
from dxdesk.store.queries import current_plan
from dxdesk.store.settings_store import get_setting, set_setting
from dxdesk.store.snapshot import plan_settings

if TYPE_CHECKING:
    from dxdesk.report.documents import PrintJob, PrintResult

__all__ = ["Database", "Desk", "PlanYears", "Progress"]

Progress = Callable[
    [int, int, str], None
]  # (done, total, message) — what a long operation reports  # Database: the handle ui passes to the core


@dataclass(frozen=True)
class PlanYears:
    """The plan of the database with its survey year and the years a screen offers (newest first).

    ``declared_fy`` is the plan's own survey year (None when the plan does not name one; the central
    office issues and merges nothing then), ``survey_fy`` the year the section application edits."""

    plan_id: int
    code: str
    name: str
    settings: PlanSettings
    survey_fy: int
    declared_fy: int | None
    years: tuple[int, ...]
    period_start: int | None


class Desk:
    """One open database seen by one role. ``db`` is the handle passed to the core's operations."""

    def __init__(self, db: Database):
        self.db = db

    # --- the database -----------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        """The SQLite file, else None (a server database)."""
        return self.db.path

    @property
    def url(self) -> str:
        return self.db.url

    @property
    def location(self) -> str:
        """What to show as "the data": the file, or the URL without its password."""
        return str(self.db.path) if self.db.path is not None else self.display_url

    @property
    def display_url(self) -> str:
        return make_url(self.db.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.db.dispose()

    # --- settings ---------------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        """A stored setting (``None`` when not set)."""
        with self.db.session() as s:
            return get_setting(s, key)

    def set_settings(self, values: dict[str, str]) -> None:
        """Store several settings in one transaction."""
        with self.db.session() as s:
            for key, value in values.items():
                set_setting(s, key, value)

    def set_setting(self, key: str, value: str) -> None:
        self.set_settings({key: value})

    @property
    def role(self) -> str | None:
        """``"central"`` for the central office's database, else the section's (``"section"`` or unset)."""
        return self.setting("role")

    # --- the plan ---------------------------------------------------------------------------------
    def plan_years(self) -> PlanYears | None:
        """The plan, its survey year and the years to offer; None when the database has no plan."""
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return None
            survey, years = survey_years(plan.period_start_fy, plan.period_end_fy, plan.current_fy)
            return PlanYears(
                plan_id=plan.id,
                code=plan.code,
                name=plan.name,
                settings=plan_settings(plan),
                survey_fy=survey,
                declared_fy=plan.current_fy,
                years=tuple(years),
                period_start=plan.period_start_fy,
            )

    # --- datasets (docs/dataset-format.md) -----------------------------------------------------------
    def import_dataset(self, data: dict[str, Any]) -> str:
        """Upsert a plan dataset in one transaction; returns the plan's code. Raises ``DatasetProblems``
        (every problem; nothing written) or ``DatasetError``."""
        from dxdesk.store.dataset import import_dataset

        with self.db.session(audit=False) as s:
            return import_dataset(s, data).code

    def export_dataset(
        self, plan_code: str | None = None, section_codes: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """The plan ``plan_code`` (default: the current plan), optionally only some sections' measures, as
        a dataset dict. Raises ``DatasetError`` for an unknown plan."""
        from dxdesk.store.dataset import export_dataset

        with self.db.session() as s:
            if not plan_code:
                plan = current_plan(s)
                plan_code = plan.code if plan else ""
            return export_dataset(s, plan_code, section_codes=section_codes)

    # --- printing ---------------------------------------------------------------------------------
    def make_pdf(self, out: Path | str, job: PrintJob, progress: Progress | None = None) -> PrintResult:
        """The PDF ``job`` asks for, written atomically to ``out`` (runs long; opens its own sessions).
        Raises ``PrintError`` subclasses."""
        from dxdesk.report.documents import make_pdf

        return make_pdf(self.db, out, job, progress=progress)

    # --- signing keys (docs/decisions.md "Keys at rest") --------------------------------------------
    def ca_state(self) -> str:
        """The central CA's key: ``new`` (none yet), ``locked`` (a passphrase is needed) or ``ready``."""
        from dxdesk.exchange.authority import ca_state

        with self.db.session() as s:
            return ca_state(s)

    def unlock_ca(self, passphrase: str) -> None:
        """Open the central CA's key for this session, creating the CA under ``passphrase`` when the
        database has none yet. Raises ``PassphraseError`` for a wrong or too short passphrase."""
        from dxdesk.exchange.authority import ensure_ca

        with self.db.session() as s:
            ensure_ca(s, current_plan(s), passphrase=passphrase)

    def ca_certificate_pem(self) -> str | None:
        """The active central CA's certificate (PEM), None when this database has no CA."""
        with self.db.session() as s:
            row = s.scalar(select(CentralCA).where(CentralCA.active.is_(True)).order_by(CentralCA.id.desc()))
            return row.certificate_pem if row is not None else None

    def section_key_locked(self, fiscal_year: int, section_code: str) -> bool:
        """True when the section's signing key for the year needs the kit passphrase before it signs
        (False without a plan or credential: the export then says what is missing)."""
        from dxdesk.exchange.authority import active_credential, section_key_state
        from dxdesk.exchange.errors import CredentialError

        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return False
            try:
                cred = active_credential(s, plan.code, fiscal_year, section_code)
            except CredentialError:
                return False
            return section_key_state(cred) == "locked"

    def unlock_section_key(self, fiscal_year: int, section_code: str, passphrase: str) -> None:
        """Open the section's signing key with the kit passphrase for this session. Raises
        ``PassphraseError`` / ``KeyLockedError`` (their messages say what to do)."""
        from dxdesk.exchange.authority import active_credential, section_signing_key

        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return
            section_signing_key(active_credential(s, plan.code, fiscal_year, section_code), passphrase)
