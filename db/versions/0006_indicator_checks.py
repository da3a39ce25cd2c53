"""Indicator checks: the 活動/成果 kind the central office confirmed or corrected (kept over the
wording-based guess of the output-only check), and an optional plausible range of an indicator's values.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("kind_confirmed", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("plausible_min", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("plausible_max", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("plausible_max")
        batch.drop_column("plausible_min")
        batch.drop_column("kind_confirmed")
