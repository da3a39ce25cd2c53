"""Exchange tables: the central CA, issued credentials and revocations, kits issued and imported, a
section's own credential and trusted CA, and the exported submission revisions with their hash chain.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:04:02.686324
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "central_ca",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_central_ca")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_central_ca_fingerprint")),
    )
    op.create_table(
        "kit_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_import")),
        sa.UniqueConstraint(
            "plan_code",
            "fiscal_year",
            "section_code",
            "version",
            name=op.f("uq_kit_import_plan_code_fiscal_year_section_code_version"),
        ),
    )
    op.create_table(
        "section_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        sa.Column("ca_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_credential")),
        sa.UniqueConstraint("serial", name=op.f("uq_section_credential_serial")),
    )
    with op.batch_alter_table("section_credential", schema=None) as batch_op:
        batch_op.create_index(
            "ix_section_credential_year", ["plan_code", "fiscal_year", "section_code"], unique=False
        )

    op.create_table(
        "submission_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("credential_serial", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("chief", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("measure_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_export")),
        sa.UniqueConstraint("payload_hash", name=op.f("uq_submission_export_payload_hash")),
        sa.UniqueConstraint(
            "plan_code",
            "fiscal_year",
            "section_code",
            "revision",
            name=op.f("uq_submission_export_plan_code_fiscal_year_section_code_revision"),
        ),
    )
    op.create_table(
        "trusted_ca",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_ca")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_trusted_ca_fingerprint")),
    )
    op.create_table(
        "issued_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ca_id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["ca_id"],
            ["central_ca.id"],
            name=op.f("fk_issued_credential_ca_id_central_ca"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credential")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_issued_credential_fingerprint")),
        sa.UniqueConstraint("serial", name=op.f("uq_issued_credential_serial")),
    )
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_credential_ca_id"), ["ca_id"], unique=False)
        batch_op.create_index(
            "ix_issued_credential_section", ["plan_code", "fiscal_year", "section_code"], unique=False
        )

    op.create_table(
        "kit_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_kit_issue_credential_id_issued_credential"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_issue")),
        sa.UniqueConstraint(
            "plan_code",
            "fiscal_year",
            "section_code",
            "version",
            name=op.f("uq_kit_issue_plan_code_fiscal_year_section_code_version"),
        ),
    )
    with op.batch_alter_table("kit_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kit_issue_credential_id"), ["credential_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("kit_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kit_issue_credential_id"))

    op.drop_table("kit_issue")
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_credential_section")
        batch_op.drop_index(batch_op.f("ix_issued_credential_ca_id"))

    op.drop_table("issued_credential")
    op.drop_table("trusted_ca")
    op.drop_table("submission_export")
    with op.batch_alter_table("section_credential", schema=None) as batch_op:
        batch_op.drop_index("ix_section_credential_year")

    op.drop_table("section_credential")
    op.drop_table("kit_import")
    op.drop_table("central_ca")
