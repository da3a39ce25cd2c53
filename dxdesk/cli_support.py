"""What every ``dxdesk`` subcommand shares: output lines, exit codes, opening the database, the year.

    out(text)                 one line on stdout (flushed: batch jobs read it as it comes)
    err(text) / ng(message)   one line on stderr; ``ng`` writes ``NG <message>``
    open_existing(target)     open a database that must already exist (a mistyped path is an error)
    existing_database(target) the same as a context manager that disposes of it
    desk(target) / section_desk(target) / central_office(target)
                              the same, as the role's façade (docs/core-api.md): what commands use
    open_or_create(target)    open, creating if needed — only ``init-db``, ``demo-db`` and ``demo``
    fiscal_year(text)         ``--fy`` (R8, 令和8年度, 2026) or None when not given
    progress(verbose)         a ``progress(i, n, message)`` callback printing each new message to stderr

Exit codes are :data:`EXIT_OK` (done), :data:`EXIT_ACT` (findings or failures the user must act on)
and :data:`EXIT_USAGE` (bad usage, or input that cannot be used at all). Any :class:`DxdeskError` a
command lets through is printed by ``dxdesk.cli.main`` as ``NG <message>`` with exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dxdesk.domain.fiscal import parse_fiscal_year
from dxdesk.store.database import Database, DatabaseError, open_database

if TYPE_CHECKING:
    from dxdesk.central.office import CentralOffice
    from dxdesk.desk import Desk
    from dxdesk.section_desk import SectionDesk

__all__ = [
    "EXIT_ACT",
    "EXIT_OK",
    "EXIT_USAGE",
    "MissingDatabase",
    "central_office",
    "check_exists",
    "desk",
    "err",
    "existing_database",
    "fiscal_year",
    "ng",
    "open_existing",
    "open_or_create",
    "out",
    "progress",
    "section_desk",
]

EXIT_OK = 0
EXIT_ACT = 1
EXIT_USAGE = 2


class MissingDatabase(DatabaseError):
    """A ``--db`` path where there is no file (a typo would otherwise create an empty database)."""


def out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def ng(message: object) -> None:
    err(f"NG {message}")


def check_exists(target: str | Path) -> None:
    """Raise :class:`MissingDatabase` when ``target`` is a file path (not a URL) with no file there."""
    text = str(target)
    if "://" not in text and not Path(text).expanduser().is_file():
        raise MissingDatabase(
            f"データベース「{text}」がありません。--db でデータベースのファイルを指定してください。"
        )


def open_existing(target: str | Path) -> Database:
    """Open and upgrade a database that exists. Raises :class:`MissingDatabase` / ``DatabaseError``."""
    check_exists(target)
    return open_database(target)


@contextmanager
def existing_database(target: str | Path) -> Iterator[Database]:
    """``with existing_database(args.db) as db:`` — :func:`open_existing`, disposed at the end. Errors
    raised inside reach ``dxdesk.cli.main``, which prints ``NG <message>`` and exits 2."""
    db = open_existing(target)
    try:
        yield db
    finally:
        db.dispose()


# The façades are imported when a command opens one: the parser loads every command module, and the
# façades' store and ORM imports would add ~90 ms to every `dxdesk` start, `--help` included.
@contextmanager
def desk(target: str | Path) -> Iterator[Desk]:
    """``with desk(args.db) as d:`` — an existing database seen by either role (settings, the plan,
    datasets, printing), disposed at the end."""
    from dxdesk.desk import Desk

    with existing_database(target) as db:
        yield Desk(db)


@contextmanager
def section_desk(target: str | Path) -> Iterator[SectionDesk]:
    """``with section_desk(args.db) as d:`` — an existing section database, disposed at the end."""
    from dxdesk.section_desk import SectionDesk

    with existing_database(target) as db:
        yield SectionDesk(db)


@contextmanager
def central_office(target: str | Path) -> Iterator[CentralOffice]:
    """``with central_office(args.db) as office:`` — an existing central database, disposed at the end."""
    from dxdesk.central.office import CentralOffice

    with existing_database(target) as db:
        yield CentralOffice(db)


def open_or_create(target: str | Path) -> Database:
    """Open a database, creating an empty one when the file does not exist yet."""
    return open_database(target)


def fiscal_year(text: str | None) -> int | None:
    """The ``--fy`` option as a fiscal year, None when not given. Raises ``FiscalYearError``."""
    return parse_fiscal_year(text) if text else None


def progress(verbose: bool) -> Callable[[int, int, str], None]:
    last = [""]

    def report(_i: int, _n: int, message: str) -> None:
        if verbose and message != last[0]:
            err(message)
            last[0] = message

    return report
