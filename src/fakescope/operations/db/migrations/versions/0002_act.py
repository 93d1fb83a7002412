"""Act: appraisals, the enforcement outbox, shops' penalty points and sellers' bans.

Revision ID: 0002_act
Revises: 0001_prove
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fakescope.operations.db.base

revision: str = "0002_act"
down_revision: str | None = "0001_prove"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appraisals",
        sa.Column("appraisal_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("assigned_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.Column("due_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("reasoning", sa.Text(), nullable=True),
        sa.Column("verdict_by", sa.String(length=200), nullable=True),
        sa.Column("report_evidence_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_appraisals_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.org_id"], name=op.f("fk_appraisals_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("appraisal_id", name=op.f("pk_appraisals")),
    )
    with op.batch_alter_table("appraisals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appraisals_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_appraisals_open_due", ["completed_at", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appraisals_org_id"), ["org_id"], unique=False)

    op.create_table(
        "enforcement_actions",
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("listing_id", sa.String(length=200), nullable=False),
        sa.Column("shop_id", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=200), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_enforcement_actions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.org_id"], name=op.f("fk_enforcement_actions_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_enforcement_actions")),
    )
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enforcement_actions_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_enforcement_actions_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_enforcement_actions_listing", ["listing_id", "type"], unique=False)
        batch_op.create_index(batch_op.f("ix_enforcement_actions_org_id"), ["org_id"], unique=False)

    op.create_table(
        "seller_bans",
        sa.Column("seller_id", sa.String(length=200), nullable=False),
        sa.Column("banned_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=op.f("fk_seller_bans_case_id_cases")),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_seller_bans")),
    )
    op.create_table(
        "shop_penalties",
        sa.Column("shop_id", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("closed_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_case_id", sa.String(length=40), nullable=True),
        sa.Column("updated_at", fakescope.operations.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_case_id"], ["cases.case_id"], name=op.f("fk_shop_penalties_closed_by_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_shop_penalties")),
    )


def downgrade() -> None:
    op.drop_table("shop_penalties")
    op.drop_table("seller_bans")
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_actions_org_id"))
        batch_op.drop_index("ix_enforcement_actions_listing")
        batch_op.drop_index("ix_enforcement_actions_due")
        batch_op.drop_index(batch_op.f("ix_enforcement_actions_case_id"))

    op.drop_table("enforcement_actions")
    with op.batch_alter_table("appraisals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisals_org_id"))
        batch_op.drop_index("ix_appraisals_open_due")
        batch_op.drop_index(batch_op.f("ix_appraisals_case_id"))

    op.drop_table("appraisals")
