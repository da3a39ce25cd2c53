"""Initial schema: organisation, plan tree, measures, yearly sheets, indicators, costs, audit trail.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 19:46:58.502620
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("measure_code", sa.String(length=80), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=80), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_measure", ["measure_code", "fiscal_year"], unique=False)

    op.create_table(
        "bureau",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("valid_from_fy", sa.Integer(), nullable=False),
        sa.Column("valid_to_fy", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bureau")),
        sa.UniqueConstraint("code", "valid_from_fy", name=op.f("uq_bureau_code_valid_from_fy")),
    )
    with op.batch_alter_table("bureau", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bureau_code"), ["code"], unique=False)

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("period_start_fy", sa.Integer(), nullable=True),
        sa.Column("period_end_fy", sa.Integer(), nullable=True),
        sa.Column("version_label", sa.String(length=40), nullable=False),
        sa.Column("current_fy", sa.Integer(), nullable=True),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_plan_code")),
    )
    op.create_table(
        "section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bureau_code", sa.String(length=40), nullable=True),
        sa.Column("valid_from_fy", sa.Integer(), nullable=False),
        sa.Column("valid_to_fy", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section")),
        sa.UniqueConstraint("code", "valid_from_fy", name=op.f("uq_section_code_valid_from_fy")),
    )
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_section_code"), ["code"], unique=False)

    op.create_table(
        "plan_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["plan_node.id"], name=op.f("fk_plan_node_parent_id_plan_node"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_node_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_node")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_plan_node_plan_id_code")),
    )
    with op.batch_alter_table("plan_node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_node_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_node_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("target_group", sa.Text(), nullable=False),
        sa.Column("owner_section_code", sa.String(length=40), nullable=False),
        sa.Column("budget_item", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("sdgs", sa.JSON(), nullable=False),
        sa.Column("start_fy", sa.Integer(), nullable=True),
        sa.Column("end_fy", sa.Integer(), nullable=True),
        sa.Column("period_label", sa.String(length=40), nullable=False),
        sa.Column("is_leading", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"], ["plan_node.id"], name=op.f("fk_measure_node_id_plan_node"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_measure_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_measure_plan_id_code")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_node_id"), ["node_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_measure_owner_section_code"), ["owner_section_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_measure_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "cost_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("budget", sa.String(length=40), nullable=True),
        sa.Column("settlement", sa.String(length=40), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_cost_item_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_item")),
    )
    with op.batch_alter_table("cost_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_item_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "cost_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("budget", sa.String(length=40), nullable=True),
        sa.Column("settlement", sa.String(length=40), nullable=True),
        sa.Column("fund_general", sa.String(length=40), nullable=True),
        sa.Column("fund_national", sa.String(length=40), nullable=True),
        sa.Column("fund_prefecture", sa.String(length=40), nullable=True),
        sa.Column("fund_bonds", sa.String(length=40), nullable=True),
        sa.Column("fund_other", sa.String(length=40), nullable=True),
        sa.Column("personnel_cost", sa.String(length=40), nullable=True),
        sa.Column("staff_ratio", sa.String(length=40), nullable=True),
        sa.Column("overtime_hours", sa.String(length=40), nullable=True),
        sa.Column("part_time_staff", sa.String(length=10), nullable=True),
        sa.Column("execution_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_cost_row_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_row")),
        sa.UniqueConstraint("measure_id", "fiscal_year", name=op.f("uq_cost_row_measure_id_fiscal_year")),
    )
    with op.batch_alter_table("cost_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_row_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("cumulative", sa.Boolean(), nullable=False),
        sa.Column("value_type", sa.String(length=20), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=True),
        sa.Column("baseline", sa.String(length=200), nullable=True),
        sa.Column("baseline_fy", sa.Integer(), nullable=True),
        sa.Column("final_target", sa.String(length=200), nullable=True),
        sa.Column("final_target_fy", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reference_only", sa.Boolean(), nullable=False),
        sa.Column("valid_from_fy", sa.Integer(), nullable=True),
        sa.Column("valid_to_fy", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_indicator_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "measure_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_section_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_section")),
        sa.UniqueConstraint(
            "measure_id", "section_code", name=op.f("uq_measure_section_measure_id_section_code")
        ),
    )
    with op.batch_alter_table("measure_section", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_section_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_section_section_code"), ["section_code"], unique=False)

    op.create_table(
        "measure_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=True),
        sa.Column("stage", sa.String(length=4), nullable=True),
        sa.Column("roadmap_mark", sa.String(length=10), nullable=False),
        sa.Column("self_grade", sa.String(length=1), nullable=True),
        sa.Column("grade_override_reason", sa.Text(), nullable=False),
        sa.Column("direction", sa.String(length=40), nullable=True),
        sa.Column("direction_reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("chief_confirmed_by", sa.String(length=100), nullable=False),
        sa.Column("chief_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entry_status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "self_grade IS NULL OR self_grade IN ('A','B','C','D')", name=op.f("ck_measure_year_grade")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_year_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_year")),
        sa.UniqueConstraint("measure_id", "fiscal_year", name=op.f("uq_measure_year_measure_id_fiscal_year")),
    )
    with op.batch_alter_table("measure_year", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_year_fiscal_year"), ["fiscal_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_year_measure_id"), ["measure_id"], unique=False)

    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("actual", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint(
            "indicator_id", "fiscal_year", name=op.f("uq_indicator_value_indicator_id_fiscal_year")
        ),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_value_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_year_id", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_fy", sa.Integer(), nullable=True),
        sa.Column("due_month", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_year_id"],
            ["measure_year.id"],
            name=op.f("fk_milestone_measure_year_id_measure_year"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_measure_year_id"), ["measure_year_id"], unique=False)

    op.create_table(
        "perspective_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_year_id", sa.Integer(), nullable=False),
        sa.Column("perspective", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_perspective_score_score_range")),
        sa.ForeignKeyConstraint(
            ["measure_year_id"],
            ["measure_year.id"],
            name=op.f("fk_perspective_score_measure_year_id_measure_year"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perspective_score")),
        sa.UniqueConstraint(
            "measure_year_id", "perspective", name=op.f("uq_perspective_score_measure_year_id_perspective")
        ),
    )
    with op.batch_alter_table("perspective_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_perspective_score_measure_year_id"), ["measure_year_id"], unique=False
        )

    op.create_table(
        "sheet_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_year_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_year_id"],
            ["measure_year.id"],
            name=op.f("fk_sheet_text_measure_year_id_measure_year"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_text")),
        sa.UniqueConstraint("measure_year_id", "field", name=op.f("uq_sheet_text_measure_year_id_field")),
    )
    with op.batch_alter_table("sheet_text", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sheet_text_measure_year_id"), ["measure_year_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("sheet_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sheet_text_measure_year_id"))

    op.drop_table("sheet_text")
    with op.batch_alter_table("perspective_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_perspective_score_measure_year_id"))

    op.drop_table("perspective_score")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_measure_year_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_value_indicator_id"))

    op.drop_table("indicator_value")
    with op.batch_alter_table("measure_year", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_year_measure_id"))
        batch_op.drop_index(batch_op.f("ix_measure_year_fiscal_year"))

    op.drop_table("measure_year")
    with op.batch_alter_table("measure_section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_section_section_code"))
        batch_op.drop_index(batch_op.f("ix_measure_section_measure_id"))

    op.drop_table("measure_section")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_measure_id"))

    op.drop_table("indicator")
    with op.batch_alter_table("cost_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_row_measure_id"))

    op.drop_table("cost_row")
    with op.batch_alter_table("cost_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_item_measure_id"))

    op.drop_table("cost_item")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_plan_id"))
        batch_op.drop_index(batch_op.f("ix_measure_owner_section_code"))
        batch_op.drop_index(batch_op.f("ix_measure_node_id"))

    op.drop_table("measure")
    with op.batch_alter_table("plan_node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_node_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_node_parent_id"))

    op.drop_table("plan_node")
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_code"))

    op.drop_table("section")
    op.drop_table("plan")
    with op.batch_alter_table("bureau", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bureau_code"))

    op.drop_table("bureau")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_measure")

    op.drop_table("audit_log")
    op.drop_table("app_setting")
