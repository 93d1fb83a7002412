"""Exact identity links to banned sellers: a shared phone, bank account, ID number, device or address.

Values are normalised in Ibis (full-width folded, punctuation dropped) so `+86 138-0013-8000` meets
`13800138000`; fuzzy matches and rings come from the trace capability through the provider registry.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fakescope.analytics.features.tables import SnapshotTables
from fakescope.analytics.features.text import folded_text

# Shorter values (after normalisation) are too common to link two people.
MIN_IDENTIFIER_CHARS = 6
# A value shared by more sellers than this is a platform default or an agent's address, not a person.
MAX_SHARERS = 50
# Phones: keep the last 10 digits, so a country prefix (+86, 0086) does not hide a match.
PHONE_DIGITS = 10

LINK_FIELDS = ("phone", "bank_account", "id_number", "device_id", "address")


def normalised_identifier(field: str, value: ir.StringValue) -> ir.StringValue:
    """One identity field's value made comparable; null when too short to mean anything."""
    folded = folded_text(value)
    if field in ("phone", "bank_account"):
        key = folded.re_replace(r"[^0-9]", "")
        if field == "phone":
            key = ibis.ifelse(key.length() > PHONE_DIGITS, key.right(PHONE_DIGITS), key)
    elif field == "address":
        key = folded.re_replace(r"[\s,.;:，。、；：()（）#\-]", "")
    else:
        key = folded.re_replace(r"[^0-9a-z]", "")
    return ibis.ifelse(key.length() >= MIN_IDENTIFIER_CHARS, key, ibis.null("string"))


def identity_values(tables: SnapshotTables) -> ir.Table:
    """seller_id, field, value: every normalised identity value a seller registered with."""
    sellers = tables["sellers"]
    parts = [
        sellers.select(
            "seller_id", field=ibis.literal(field), value=normalised_identifier(field, sellers[field])
        )
        for field in LINK_FIELDS
    ]
    values = ibis.union(*parts, distinct=True)
    values = values.filter(values.value.notnull())
    sharers = values.group_by(["field", "value"]).aggregate(sharers=values.seller_id.nunique())
    common = sharers.filter(sharers.sharers > MAX_SHARERS).select("field", "value")
    return values.anti_join(common, ["field", "value"])


def banned_links(tables: SnapshotTables, seller_anchors: ir.Table) -> ir.Table:
    """Per (seller_id, as_of): other sellers banned before as_of who share an identity value, and one
    field."""
    values = identity_values(tables)
    bans = tables["bans"].select(banned_id="seller_id", banned_at="banned_at")
    banned_values = values.join(bans, values.seller_id == bans.banned_id).select(
        "field", "value", "banned_id", "banned_at"
    )
    mine = seller_anchors.join(values, "seller_id").select(
        seller_anchors.seller_id, seller_anchors.as_of, "field", "value"
    )
    linked = mine.join(
        banned_values,
        [
            mine.field == banned_values.field,
            mine.value == banned_values.value,
            banned_values.banned_id != mine.seller_id,
            banned_values.banned_at < mine.as_of,
        ],
    ).select(mine.seller_id, mine.as_of, mine.field, banned_values.banned_id)
    return linked.group_by(["seller_id", "as_of"]).aggregate(
        seller_banned_links=linked.banned_id.nunique(),
        seller_link_fields=linked.field.nunique(),
        seller_link_field=linked.field.min(),
    )
