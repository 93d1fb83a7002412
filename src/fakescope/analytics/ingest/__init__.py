"""Ingest: validate a marketplace folder against the data contract and load it as the workspace's snapshot.

`ingest_folder` does the work, all or nothing; `snapshot_info` describes the snapshot in place.
"""

from fakescope.analytics.ingest.report import IngestReport, ProgressCallback, SnapshotInfo, TableLoad
from fakescope.analytics.ingest.service import ingest_folder, parse_as_of
from fakescope.analytics.ingest.snapshot import snapshot_info

__all__ = [
    "IngestReport",
    "ProgressCallback",
    "SnapshotInfo",
    "TableLoad",
    "ingest_folder",
    "parse_as_of",
    "snapshot_info",
]
