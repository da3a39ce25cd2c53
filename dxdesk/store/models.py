"""SQLAlchemy 2.x ORM models: the whole schema of a dxdesk database.

The same schema serves a section's local database and the central office's database (SQLite or
PostgreSQL); ``app_setting`` says which role a file plays. Schema changes are made only through Alembic
migrations in ``db/versions`` (tests/test_migrations.py fails when the models and migrations differ).

Conventions:
- values typed by a person (indicator targets and actuals, costs) are stored as text: NULL is blank,
  「—」 is not applicable, numbers are Decimal strings that keep the typed decimals (see
  ``dxdesk.domain.values``). Floats never appear.
- sections and bureaus are referenced by code, not by row id: codes are what travels in kits and
  submissions, and a section reorganised in a later year keeps its history under its old code.
- free texts of a yearly sheet live in ``sheet_text`` (one row per field key), so a plan can use the
  fields its format needs (docs/data-model.md lists them) without a schema change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its exact text, keeping the decimals typed (280.0 stays 280.0)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"DecimalText expects Decimal, got {type(value).__name__}")
        return format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops tzinfo otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use dxdesk.store.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dict[str, Any]: JSON,
        list[Any]: JSON,
        Decimal: DecimalText,
        datetime: UTCDateTime,
    }


class SectionYearRow:
    """The key columns of a row about one section's year of a plan (kits, credentials, submissions,
    reviews): ``id``, ``plan_code``, ``fiscal_year``, ``section_code`` — declared once, so the tables
    that carry them cannot drift apart."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-4)
    plan_code: Mapped[str] = mapped_column(String(80), sort_order=-3)
    fiscal_year: Mapped[int] = mapped_column(Integer, sort_order=-2)
    section_code: Mapped[str] = mapped_column(String(40), sort_order=-1)


# --- settings ---------------------------------------------------------------------------------


class AppSetting(Base):
    """Key/value settings of this database: role (section/central), own section code, UI choices."""

    __tablename__ = "app_setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- organisation ---------------------------------------------------------------------------


class Bureau(Base):
    """部局. A code may have several rows when the bureau was renamed (valid per fiscal year)."""

    __tablename__ = "bureau"
    __table_args__ = (UniqueConstraint("code", "valid_from_fy"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_from_fy: Mapped[int] = mapped_column(Integer, default=1926)
    valid_to_fy: Mapped[int | None] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Section(Base):
    """課所室. Valid per fiscal year: reorganisations end one row and start another."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("code", "valid_from_fy"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    bureau_code: Mapped[str | None] = mapped_column(String(40))
    valid_from_fy: Mapped[int] = mapped_column(Integer, default=1926)
    valid_to_fy: Mapped[int | None] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


# --- plan -------------------------------------------------------------------------------------


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    municipality: Mapped[str] = mapped_column(String(100), default="")
    period_start_fy: Mapped[int | None] = mapped_column(Integer)
    period_end_fy: Mapped[int | None] = mapped_column(Integer)
    version_label: Mapped[str] = mapped_column(String(40), default="")  # 「第2.1版」
    current_fy: Mapped[int | None] = mapped_column(Integer)  # the year being surveyed
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    nodes: Mapped[list[PlanNode]] = relationship(back_populates="plan", cascade="all, delete-orphan")
    measures: Mapped[list[Measure]] = relationship(back_populates="plan", cascade="all, delete-orphan")


class PlanNode(Base):
    """A node of the plan tree (分野 → 重点課題 → 課題 → …); level names come from the plan settings."""

    __tablename__ = "plan_node"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_node.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="nodes")
    parent: Mapped[PlanNode | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[PlanNode]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", order_by="PlanNode.sort_order"
    )
    measures: Mapped[list[Measure]] = relationship(back_populates="node", order_by="Measure.sort_order")


class Measure(Base):
    """施策 / 事業 / 取組 / プロジェクト / 事務事業: the thing a yearly sheet is about."""

    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[int | None] = mapped_column(ForeignKey("plan_node.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), default="measure")
    purpose: Mapped[str] = mapped_column(Text, default="")  # 目的
    summary: Mapped[str] = mapped_column(Text, default="")  # 概要（取組内容）
    target_group: Mapped[str] = mapped_column(Text, default="")  # 対象
    owner_section_code: Mapped[str] = mapped_column(String(40), index=True)
    budget_item: Mapped[str] = mapped_column(String(300), default="")  # 予算科目 / 関連事業名
    legal_basis: Mapped[str] = mapped_column(Text, default="")  # 根拠法令等
    sdgs: Mapped[list[Any]] = mapped_column(default=list)  # goal numbers 1..17
    start_fy: Mapped[int | None] = mapped_column(Integer)
    end_fy: Mapped[int | None] = mapped_column(Integer)
    period_label: Mapped[str] = mapped_column(String(40), default="")  # 「毎年度」「R2-7」「H13-」
    is_leading: Mapped[bool] = mapped_column(Boolean, default=False)  # リーディング / 中核事業
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # plan-specific, see settings
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="measures")
    node: Mapped[PlanNode | None] = relationship(back_populates="measures")
    related_sections: Mapped[list[MeasureSection]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureSection.sort_order"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="Indicator.sort_order"
    )
    years: Mapped[list[MeasureYear]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureYear.fiscal_year"
    )
    cost_rows: Mapped[list[CostRow]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="CostRow.fiscal_year"
    )
    cost_items: Mapped[list[CostItem]] = relationship(
        back_populates="measure",
        cascade="all, delete-orphan",
        order_by="[CostItem.fiscal_year, CostItem.sort_order]",
    )


class MeasureSection(Base):
    """A related section (関連課所室) of a measure besides the owner."""

    __tablename__ = "measure_section"
    __table_args__ = (UniqueConstraint("measure_id", "section_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    section_code: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(20), default="related")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    measure: Mapped[Measure] = relationship(back_populates="related_sections")


class MeasureYear(Base):
    """The yearly sheet of a measure: stage, texts (``sheet_text``), grade, direction, sign-off."""

    __tablename__ = "measure_year"
    __table_args__ = (
        UniqueConstraint("measure_id", "fiscal_year"),
        CheckConstraint("self_grade IS NULL OR self_grade IN ('A','B','C','D')", name="grade"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    section_code: Mapped[str | None] = mapped_column(String(40))  # owner that year, if it changed
    stage: Mapped[str | None] = mapped_column(String(4))  # dxdesk.domain.enums.Stage
    roadmap_mark: Mapped[str] = mapped_column(String(10), default="")  # 「○」「⇒」「…」
    self_grade: Mapped[str | None] = mapped_column(String(1))
    grade_override_reason: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str | None] = mapped_column(String(40))  # option key, e.g. 「拡大・拡充」
    direction_reason: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100), default="")  # 作成者
    chief_confirmed_by: Mapped[str] = mapped_column(String(100), default="")  # 所属長確認
    chief_confirmed_at: Mapped[datetime | None] = mapped_column()
    entry_status: Mapped[str] = mapped_column(String(20), default="empty")  # EntryStatus
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="years")
    texts: Mapped[list[SheetText]] = relationship(back_populates="measure_year", cascade="all, delete-orphan")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="measure_year", cascade="all, delete-orphan", order_by="Milestone.sort_order"
    )
    perspective_scores: Mapped[list[PerspectiveScore]] = relationship(
        back_populates="measure_year", cascade="all, delete-orphan"
    )


class SheetText(Base):
    __tablename__ = "sheet_text"
    __table_args__ = (UniqueConstraint("measure_year_id", "field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_year_id: Mapped[int] = mapped_column(
        ForeignKey("measure_year.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")

    measure_year: Mapped[MeasureYear] = relationship(back_populates="texts")


class PerspectiveScore(Base):
    __tablename__ = "perspective_score"
    __table_args__ = (
        UniqueConstraint("measure_year_id", "perspective"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_year_id: Mapped[int] = mapped_column(
        ForeignKey("measure_year.id", ondelete="CASCADE"), index=True
    )
    perspective: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)

    measure_year: Mapped[MeasureYear] = relationship(back_populates="perspective_scores")


class Milestone(Base):
    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_year_id: Mapped[int] = mapped_column(
        ForeignKey("measure_year.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    due_fy: Mapped[int | None] = mapped_column(Integer)
    due_month: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="not_started")  # MilestoneStatus

    measure_year: Mapped[MeasureYear] = relationship(back_populates="milestones")


class UnreadInput(Base):
    """Text typed into a sheet field that could not be read as its value (「12x」 in an actual), kept
    until the person fixes it: shown red on the sheet, an error of the pre-submission check."""

    __tablename__ = "unread_input"
    __table_args__ = (UniqueConstraint("measure_id", "fiscal_year", "path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(120))  # canonical field path, e.g. indicators[0].actual@2026
    typed: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- costs ------------------------------------------------------------------------------------


class CostRow(Base):
    """事業費 of one fiscal year (amounts in the plan's cost unit, 千円 by default)."""

    __tablename__ = "cost_row"
    __table_args__ = (UniqueConstraint("measure_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    budget: Mapped[Decimal | None] = mapped_column()  # 予算額
    settlement: Mapped[Decimal | None] = mapped_column()  # 決算額
    fund_general: Mapped[Decimal | None] = mapped_column()  # 一般財源
    fund_national: Mapped[Decimal | None] = mapped_column()  # 国庫支出金
    fund_prefecture: Mapped[Decimal | None] = mapped_column()  # 県支出金
    fund_bonds: Mapped[Decimal | None] = mapped_column()  # 地方債（市債）
    fund_other: Mapped[Decimal | None] = mapped_column()  # その他
    personnel_cost: Mapped[Decimal | None] = mapped_column()  # 人件費計
    staff_ratio: Mapped[Decimal | None] = mapped_column()  # 正職員従事割合（人）
    overtime_hours: Mapped[Decimal | None] = mapped_column()  # 正職員時間外勤務（時間）
    part_time_staff: Mapped[str | None] = mapped_column(String(10))  # 会計年度任用職員 有/無
    execution_note: Mapped[str] = mapped_column(Text, default="")  # 執行率・不用額の説明

    measure: Mapped[Measure] = relationship(back_populates="cost_rows")


class CostItem(Base):
    """A line of an itemised breakdown (事業費内訳 by expense item or funding source)."""

    __tablename__ = "cost_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20), default="expense")  # expense | funding
    label: Mapped[str] = mapped_column(String(200))
    budget: Mapped[Decimal | None] = mapped_column()
    settlement: Mapped[Decimal | None] = mapped_column()
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    measure: Mapped[Measure] = relationship(back_populates="cost_items")


# --- indicators -------------------------------------------------------------------------------


class Indicator(Base):
    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40), default="")  # stable within the measure (「1」「KPI-2」)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), default="outcome")  # IndicatorKind
    direction: Mapped[str] = mapped_column(String(10), default="up")  # Direction
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    value_type: Mapped[str] = mapped_column(String(20), default="numeric")  # ValueType
    decimals: Mapped[int | None] = mapped_column(Integer)
    baseline: Mapped[str | None] = mapped_column(String(200))  # stored Value
    baseline_fy: Mapped[int | None] = mapped_column(Integer)
    final_target: Mapped[str | None] = mapped_column(String(200))  # stored Value
    final_target_fy: Mapped[int | None] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")  # 算出式・設定根拠 / 目標値の考え方
    note: Mapped[str] = mapped_column(Text, default="")  # 指標の概要
    reference_only: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from_fy: Mapped[int | None] = mapped_column(Integer)
    valid_to_fy: Mapped[int | None] = mapped_column(Integer)
    # 活動/成果 as the central office confirmed or corrected it (IndicatorKind; NULL: not confirmed)
    kind_confirmed: Mapped[str | None] = mapped_column(String(20))
    plausible_min: Mapped[str | None] = mapped_column(String(40))  # Decimal text; NULL: the unit's default
    plausible_max: Mapped[str | None] = mapped_column(String(40))

    measure: Mapped[Measure] = relationship(back_populates="indicators")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorValue.fiscal_year"
    )


class IndicatorValue(Base):
    """Target and actual of one indicator in one fiscal year. NULL = blank, 「—」 = not applicable."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    target: Mapped[str | None] = mapped_column(String(200))
    actual: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))  # 参考値: the actual on another basis
    note: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(back_populates="values")


# --- audit trail ------------------------------------------------------------------------------


class AuditLog(Base):
    """Who changed which field, when, old → new. Written automatically (dxdesk.store.audit_trail)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_measure", "measure_code", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_name: Mapped[str] = mapped_column(String(100), default="")
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int | None] = mapped_column(Integer)
    measure_code: Mapped[str | None] = mapped_column(String(80))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(80))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


# --- exchange: certificate authority, credentials, kits, submissions (dxdesk.exchange) ----------
# Central side: ``central_ca``, ``issued_credential`` (with revocation), ``kit_issue``.
# Section side: ``trusted_ca``, ``section_credential``, ``kit_import``, ``submission_export``.
# Both sides live in the one schema (a database's role decides which rows it has). The central
# merge keeps its own tables for received submissions.


class CentralCA(Base):
    """The central office's certificate authority (created on demand, one active at a time)."""

    __tablename__ = "central_ca"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the DER certificate
    certificate_pem: Mapped[str] = mapped_column(Text)
    # sealed under the central office's passphrase (dxdesk.exchange.credentials_store), never plaintext
    private_key_pem: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IssuedCredential(Base):
    """A section credential issued by the central CA; re-issuing revokes the previous one."""

    __tablename__ = "issued_credential"
    __table_args__ = (Index("ix_issued_credential_section", "plan_code", "fiscal_year", "section_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ca_id: Mapped[int] = mapped_column(ForeignKey("central_ca.id", ondelete="RESTRICT"), index=True)
    plan_code: Mapped[str] = mapped_column(String(80))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    section_code: Mapped[str] = mapped_column(String(40))
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # certificate serial, hex
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_reason: Mapped[str] = mapped_column(String(200), default="")


class KitIssue(SectionYearRow, Base):
    """A kit workbook written by the central office (one row per version per section and year)."""

    __tablename__ = "kit_issue"
    __table_args__ = (UniqueConstraint("plan_code", "fiscal_year", "section_code", "version"),)
    version: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("issued_credential.id", ondelete="RESTRICT"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(300))
    payload_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustedCA(Base):
    """A central CA certificate a section trusts (learnt from a kit whose passphrase proved it)."""

    __tablename__ = "trusted_ca"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    certificate_pem: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class SectionCredential(SectionYearRow, Base):
    """This section's own signing key and certificate for a fiscal year (from a kit).

    A newer kit brings a re-issued credential; the previous one is kept with ``superseded_at`` so
    earlier submissions can still be explained, but it is never used to sign again."""

    __tablename__ = "section_credential"
    __table_args__ = (Index("ix_section_credential_year", "plan_code", "fiscal_year", "section_code"),)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    certificate_pem: Mapped[str] = mapped_column(Text)
    # sealed with DPAPI or the kit passphrase (dxdesk.exchange.credentials_store); "" once replaced
    private_key_pem: Mapped[str] = mapped_column(Text)
    ca_fingerprint: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column()


class KitImport(SectionYearRow, Base):
    """A kit imported into this section database (the newest version per year is the plan in force)."""

    __tablename__ = "kit_import"
    __table_args__ = (UniqueConstraint("plan_code", "fiscal_year", "section_code", "version"),)
    version: Mapped[int] = mapped_column(Integer)
    payload_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[datetime] = mapped_column()
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmissionExport(SectionYearRow, Base):
    """A signed submission written by this section: revision N chained to N−1 by the payload hash."""

    __tablename__ = "submission_export"
    __table_args__ = (UniqueConstraint("plan_code", "fiscal_year", "section_code", "revision"),)
    revision: Mapped[int] = mapped_column(Integer)
    payload_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    credential_serial: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(100), default="")
    chief: Mapped[str] = mapped_column(String(100), default="")
    file_name: Mapped[str] = mapped_column(String(300))
    measure_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- central office: received submissions, merge log, review (dxdesk.central) -------------------
# Central side: ``submission_head`` (the row a merge locks), ``received_submission`` (every valid
# distinct payload, with its signature), ``merge_log`` (every file looked at), ``measure_review`` and
# ``review_comment`` (the review of each measure of a received revision), ``review_issue`` (review
# workbooks written). Section side: ``received_review`` and ``received_comment``.


class SubmissionHead(SectionYearRow, Base):
    """One row per plan × fiscal year × section: the accepted submission. A merge locks this row for its
    transaction, so two processes merging the same section's files are serialised."""

    __tablename__ = "submission_head"
    __table_args__ = (UniqueConstraint("plan_code", "fiscal_year", "section_code"),)
    accepted_id: Mapped[int | None] = mapped_column(
        ForeignKey("received_submission.id", ondelete="SET NULL"), index=True
    )
    revision: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceivedSubmission(SectionYearRow, Base):
    """A valid submission payload received by the central office (each distinct payload once).

    ``status``: ``accepted`` (the section's current revision), ``superseded`` (an older accepted
    revision, kept as history), ``stale`` (arrived after a newer one), ``conflict`` (same revision as the
    accepted one, different content: waits for a person), ``discarded`` (the side not kept when a
    conflict was resolved). Signature and certificate are kept so the payload stays verifiable."""

    __tablename__ = "received_submission"
    __table_args__ = (
        Index("ix_received_submission_section", "plan_code", "fiscal_year", "section_code", "revision"),
        CheckConstraint("status IN ('accepted','superseded','stale','conflict','discarded')", name="status"),
    )
    section_name: Mapped[str] = mapped_column(String(200), default="")
    revision: Mapped[int] = mapped_column(Integer)
    payload_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100), default="")
    chief: Mapped[str] = mapped_column(String(100), default="")
    signer_serial: Mapped[str] = mapped_column(String(40), default="")
    measure_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime | None] = mapped_column()  # the payload's created_at (section's clock)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(100), default="")  # who resolved a conflict
    signature: Mapped[str] = mapped_column(Text, default="")  # base64 Ed25519
    certificate_pem: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # the canonical JSON as signed, zlib-compressed


class MergeLog(Base):
    """Every file a merge looked at, with its outcome (accepted / duplicate / stale / conflict / rejected)."""

    __tablename__ = "merge_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_name: Mapped[str] = mapped_column(String(100), default="")
    file_name: Mapped[str] = mapped_column(String(300))
    file_path: Mapped[str] = mapped_column(Text, default="")
    file_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason_codes: Mapped[str] = mapped_column(String(300), default="")  # comma-separated
    message: Mapped[str] = mapped_column(Text, default="")
    section_code: Mapped[str | None] = mapped_column(String(40))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int | None] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("received_submission.id", ondelete="SET NULL"), index=True
    )


class MeasureReview(Base):
    """The central office's decision on one measure of one received revision."""

    __tablename__ = "measure_review"
    __table_args__ = (
        UniqueConstraint("submission_id", "measure_code"),
        CheckConstraint("decision IN ('pending','accepted','returned')", name="decision"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("received_submission.id", ondelete="CASCADE"), index=True
    )
    plan_code: Mapped[str] = mapped_column(String(80))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    section_code: Mapped[str] = mapped_column(String(40))
    measure_code: Mapped[str] = mapped_column(String(80), index=True)
    decision: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # the measure's submitted content
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)  # 受理 kept from the revision before

    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewComment.id"
    )


class ReviewComment(Base):
    """A comment of the central office on a measure (``field``: a field path, or "" for the sheet)."""

    __tablename__ = "review_comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("measure_review.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(80), default="")
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[MeasureReview] = relationship(back_populates="comments")


class ReviewIssue(SectionYearRow, Base):
    """A review workbook written by the central office (one version per section and year)."""

    __tablename__ = "review_issue"
    __table_args__ = (UniqueConstraint("plan_code", "fiscal_year", "section_code", "version"),)
    version: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("received_submission.id", ondelete="SET NULL"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    payload_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    issued_by: Mapped[str] = mapped_column(String(100), default="")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceivedReview(SectionYearRow, Base):
    """Section side: a review workbook imported (the newest version per year is the one in force)."""

    __tablename__ = "received_review"
    __table_args__ = (UniqueConstraint("plan_code", "fiscal_year", "section_code", "version"),)
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)  # the submission revision that was reviewed
    payload_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[datetime | None] = mapped_column()
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    comments: Mapped[list[ReceivedComment]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReceivedComment.id"
    )


class ReceivedComment(Base):
    """Section side: the decision on a measure and one comment of the central office (``text`` may be
    empty when the review has a decision but no comment)."""

    __tablename__ = "received_comment"
    __table_args__ = (Index("ix_received_comment_measure", "fiscal_year", "measure_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("received_review.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    measure_code: Mapped[str] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(80), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime | None] = mapped_column()

    review: Mapped[ReceivedReview] = relationship(back_populates="comments")
