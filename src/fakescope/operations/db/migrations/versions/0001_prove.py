"""Prove: access, cases, evidence, custody, storehouse and the hash-chained ledger.

Revision ID: 0001_prove
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fakescope.operations.db.base

revision: str = "0001_prove"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "evidence_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_blobs")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_ledger_entries_entry_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_ledger_entries_prev_hash")),
    )
    op.create_index(op.f("ix_ledger_entries_event_type"), "ledger_entries", ["event_type"], unique=False)
    op.create_index(op.f("ix_ledger_entries_subject_id"), "ledger_entries", ["subject_id"], unique=False)
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "organisations",
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("plan_id", sa.String(length=200), nullable=False),
        sa.Column("listing_id", sa.String(length=200), nullable=False),
        sa.Column("shop_id", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=200), nullable=False),
        sa.Column("brand_id", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=10), nullable=True),
        sa.Column("risk", sa.Float(), nullable=True),
        sa.Column("harm", sa.Float(), nullable=True),
        sa.Column("expected_value", sa.Float(), nullable=True),
        sa.Column("plan_reason", sa.String(length=40), nullable=True),
        sa.Column("inclusion_probability", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("buyer_account", sa.String(length=200), nullable=True),
        sa.Column("order_ref", sa.String(length=200), nullable=True),
        sa.Column("amount_paid", sa.Float(), nullable=True),
        sa.Column("purchased_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appraiser_org_id", sa.String(length=40), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("verdict_reason", sa.Text(), nullable=True),
        sa.Column("verdict_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verdict_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appraiser_org_id"],
            ["organisations.org_id"],
            name=op.f("fk_cases_appraiser_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
        sa.UniqueConstraint("plan_id", "listing_id", name="uq_cases_plan_listing"),
    )
    op.create_index(op.f("ix_cases_appraiser_org_id"), "cases", ["appraiser_org_id"], unique=False)
    op.create_index(op.f("ix_cases_brand_id"), "cases", ["brand_id"], unique=False)
    op.create_index(op.f("ix_cases_listing_id"), "cases", ["listing_id"], unique=False)
    op.create_index(op.f("ix_cases_seller_id"), "cases", ["seller_id"], unique=False)
    op.create_index(op.f("ix_cases_shop_id"), "cases", ["shop_id"], unique=False)
    op.create_index("ix_cases_state_created", "cases", ["state", "created_at"], unique=False)
    op.create_table(
        "org_brands",
        sa.Column("brand_id", sa.String(length=200), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.org_id"],
            name=op.f("fk_org_brands_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brand_id", name=op.f("pk_org_brands")),
    )
    op.create_index(op.f("ix_org_brands_org_id"), "org_brands", ["org_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.org_id"], name=op.f("fk_users_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_index(op.f("ix_users_org_id"), "users", ["org_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_api_tokens")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "case_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "custody_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_custody_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_custody_events")),
    )
    op.create_index(op.f("ix_custody_events_case_id"), "custody_events", ["case_id"], unique=False)
    op.create_index(op.f("ix_custody_events_item_id"), "custody_events", ["item_id"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("evidence_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("collected_by", sa.String(length=200), nullable=False),
        sa.Column("collected_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_evidence_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["evidence_blobs.sha256"], name=op.f("fk_evidence_sha256_evidence_blobs")
        ),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("case_id", "sha256", name="uq_evidence_case_sha256"),
    )
    op.create_index(op.f("ix_evidence_case_id"), "evidence", ["case_id"], unique=False)
    op.create_index(op.f("ix_evidence_sha256"), "evidence", ["sha256"], unique=False)
    op.create_table(
        "samples",
        sa.Column("sample_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=True),
        sa.Column("shelf", sa.String(length=100), nullable=True),
        sa.Column("bin", sa.String(length=100), nullable=True),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("holder_org_id", sa.String(length=40), nullable=True),
        sa.Column("is_asset", sa.Boolean(), nullable=False),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("retain_until", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("booked_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("disposed_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_samples_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["holder_org_id"], ["organisations.org_id"], name=op.f("fk_samples_holder_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("sample_id", name=op.f("pk_samples")),
        sa.UniqueConstraint("case_id", name=op.f("uq_samples_case_id")),
    )
    op.create_index(op.f("ix_samples_holder_org_id"), "samples", ["holder_org_id"], unique=False)
    # the one head row every ledger appender locks; it starts at the genesis hash
    head = sa.table("ledger_head", sa.column("id"), sa.column("seq"), sa.column("entry_hash"))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "entry_hash": GENESIS}])


def downgrade() -> None:
    op.drop_index(op.f("ix_samples_holder_org_id"), table_name="samples")
    op.drop_table("samples")
    op.drop_index(op.f("ix_evidence_sha256"), table_name="evidence")
    op.drop_index(op.f("ix_evidence_case_id"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_custody_events_item_id"), table_name="custody_events")
    op.drop_index(op.f("ix_custody_events_case_id"), table_name="custody_events")
    op.drop_table("custody_events")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_users_org_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_org_brands_org_id"), table_name="org_brands")
    op.drop_table("org_brands")
    op.drop_index("ix_cases_state_created", table_name="cases")
    op.drop_index(op.f("ix_cases_shop_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_seller_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_listing_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_brand_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_appraiser_org_id"), table_name="cases")
    op.drop_table("cases")
    op.drop_table("organisations")
    op.drop_table("ledger_head")
    op.drop_index(op.f("ix_ledger_entries_subject_id"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_event_type"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("evidence_blobs")
