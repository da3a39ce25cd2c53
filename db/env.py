"""Alembic environment for dxdesk.

dxdesk runs migrations itself at start-up (``dxdesk.store.migrate.upgrade``) and passes its own
connection in ``config.attributes["connection"]``. Developers can also run the alembic command line with
``alembic -c db/alembic.ini`` and ``-x url=sqlite:///path.sqlite``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from dxdesk.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("pass -x url=sqlite:///path/to/db.sqlite")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
