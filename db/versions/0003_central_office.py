"""Central office tables: received submissions (each valid payload once, with its signature), the merge
log, the row a merge locks per section (submission_head), reviews and comments per measure, review
workbooks issued; on the section side, review workbooks imported and their comments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:40:18.776765
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "received_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_review")),
        sa.UniqueConstraint(
            "plan_code",
            "fiscal_year",
            "section_code",
            "version",
            name=op.f("uq_received_review_plan_code_fiscal_year_section_code_version"),
        ),
    )
    op.create_table(
        "received_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("section_name", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("chief", sa.String(length=100), nullable=False),
        sa.Column("signer_serial", sa.String(length=40), nullable=False),
        sa.Column("measure_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "status IN ('accepted','superseded','stale','conflict','discarded')",
            name=op.f("ck_received_submission_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_submission")),
        sa.UniqueConstraint("payload_hash", name=op.f("uq_received_submission_payload_hash")),
    )
    with op.batch_alter_table("received_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_submission_file_hash"), ["file_hash"], unique=False)
        batch_op.create_index(
            "ix_received_submission_section",
            ["plan_code", "fiscal_year", "section_code", "revision"],
            unique=False,
        )

    op.create_table(
        "measure_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("measure_code", sa.String(length=80), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("carried_over", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('pending','accepted','returned')", name=op.f("ck_measure_review_decision")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["received_submission.id"],
            name=op.f("fk_measure_review_submission_id_received_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_review")),
        sa.UniqueConstraint(
            "submission_id", "measure_code", name=op.f("uq_measure_review_submission_id_measure_code")
        ),
    )
    with op.batch_alter_table("measure_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_review_measure_code"), ["measure_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_review_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "merge_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason_codes", sa.String(length=300), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["received_submission.id"],
            name=op.f("fk_merge_log_submission_id_received_submission"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_log")),
    )
    with op.batch_alter_table("merge_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_merge_log_file_hash"), ["file_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_merge_log_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "received_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("measure_code", sa.String(length=80), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("field", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["received_review.id"],
            name=op.f("fk_received_comment_review_id_received_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_comment")),
    )
    with op.batch_alter_table("received_comment", schema=None) as batch_op:
        batch_op.create_index("ix_received_comment_measure", ["fiscal_year", "measure_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_received_comment_review_id"), ["review_id"], unique=False)

    op.create_table(
        "review_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["received_submission.id"],
            name=op.f("fk_review_issue_submission_id_received_submission"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_issue")),
        sa.UniqueConstraint(
            "plan_code",
            "fiscal_year",
            "section_code",
            "version",
            name=op.f("uq_review_issue_plan_code_fiscal_year_section_code_version"),
        ),
    )
    with op.batch_alter_table("review_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_issue_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "submission_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=80), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("accepted_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_id"],
            ["received_submission.id"],
            name=op.f("fk_submission_head_accepted_id_received_submission"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_head")),
        sa.UniqueConstraint(
            "plan_code",
            "fiscal_year",
            "section_code",
            name=op.f("uq_submission_head_plan_code_fiscal_year_section_code"),
        ),
    )
    with op.batch_alter_table("submission_head", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_head_accepted_id"), ["accepted_id"], unique=False)

    op.create_table(
        "review_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["measure_review.id"],
            name=op.f("fk_review_comment_review_id_measure_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comment")),
    )
    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_comment_review_id"), ["review_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_comment_review_id"))

    op.drop_table("review_comment")
    with op.batch_alter_table("submission_head", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_head_accepted_id"))

    op.drop_table("submission_head")
    with op.batch_alter_table("review_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_issue_submission_id"))

    op.drop_table("review_issue")
    with op.batch_alter_table("received_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_comment_review_id"))
        batch_op.drop_index("ix_received_comment_measure")

    op.drop_table("received_comment")
    with op.batch_alter_table("merge_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_log_submission_id"))
        batch_op.drop_index(batch_op.f("ix_merge_log_file_hash"))
        batch_op.drop_index(batch_op.f("ix_merge_log_at"))

    op.drop_table("merge_log")
    with op.batch_alter_table("measure_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_review_submission_id"))
        batch_op.drop_index(batch_op.f("ix_measure_review_measure_code"))

    op.drop_table("measure_review")
    with op.batch_alter_table("received_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_received_submission_section")
        batch_op.drop_index(batch_op.f("ix_received_submission_file_hash"))

    op.drop_table("received_submission")
    op.drop_table("received_review")
