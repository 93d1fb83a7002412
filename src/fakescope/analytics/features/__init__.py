"""Point-in-time features for the risk model: engine-free Ibis definitions over the snapshot, as of any
moment.

`build_features(tables, anchors)` runs them for (listing_id, as_of) anchors (`feature_query` gives the
expression unrun, for streaming); other capabilities add features
through `fakescope.analytics.features.providers`.
"""

from fakescope.analytics.features.build import FeatureFrame, FeatureQuery, build_features, feature_query
from fakescope.analytics.features.catalog import DEFINITIONS_VERSION, Feature, builtin_features
from fakescope.analytics.features.providers import register_provider, registered_providers
from fakescope.analytics.features.tables import SnapshotTables, anchors_at, register_anchors, snapshot_tables

__all__ = [
    "DEFINITIONS_VERSION",
    "Feature",
    "FeatureFrame",
    "FeatureQuery",
    "SnapshotTables",
    "anchors_at",
    "build_features",
    "builtin_features",
    "feature_query",
    "register_anchors",
    "register_provider",
    "registered_providers",
    "snapshot_tables",
]
