"""参考値 per indicator and year (a figure published next to the actual, computed on another basis).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 04:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_value") as batch:
        batch.add_column(sa.Column("reference", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator_value") as batch:
        batch.drop_column("reference")
