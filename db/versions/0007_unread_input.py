"""Unread input: text typed into a sheet field that could not be read as its value, kept until fixed
(shown red on the sheet, an error of the pre-submission check).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unread_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("typed", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_unread_input_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unread_input")),
        sa.UniqueConstraint(
            "measure_id", "fiscal_year", "path", name=op.f("uq_unread_input_measure_id_fiscal_year_path")
        ),
    )
    op.create_index(op.f("ix_unread_input_measure_id"), "unread_input", ["measure_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unread_input_measure_id"), table_name="unread_input")
    op.drop_table("unread_input")
