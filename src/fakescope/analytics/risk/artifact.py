"""Versioned model artifacts in the workspace: `models/vN/` with the model, its training labels and a
manifest.

The manifest holds the feature list, training window, data fingerprint, metrics and a SHA-256 of every file,
so a corrupted or foreign artifact is refused with a message instead of scoring nonsense.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import xgboost as xgb

from fakescope.errors import ArtifactError, NotReady
from fakescope.workspace import Workspace

MANIFEST = "manifest.json"
MODEL_FILE = "model.json"
LABELS_FILE = "labels.parquet"
FORMAT = 1
_VERSION = re.compile(r"^v(\d+)$")


@dataclass
class Artifact:
    """A loaded model version: its manifest, the booster (None for the rule fallback) and extra labels."""

    path: Path
    manifest: dict[str, Any]
    booster: xgb.Booster | None
    extra_labels: pa.Table | None

    @property
    def version(self) -> str:
        return str(self.manifest["model_version"])

    @property
    def features(self) -> list[str]:
        return list(self.manifest["features"])

    @property
    def fallback(self) -> bool:
        return bool(self.manifest["fallback"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions(models_dir: Path) -> list[int]:
    if not models_dir.is_dir():
        return []
    found = (_VERSION.match(p.name) for p in models_dir.iterdir() if p.is_dir())
    return sorted(int(m.group(1)) for m in found if m)


def save_artifact(
    workspace: Workspace, manifest: dict[str, Any], booster: xgb.Booster | None, extra_labels: pa.Table | None
) -> Artifact:
    """Write the next version atomically (a temporary folder renamed into place) and return it loaded."""
    models_dir = workspace.models_dir
    models_dir.mkdir(parents=True, exist_ok=True)
    number = (_versions(models_dir) or [0])[-1] + 1
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=".staging-"))
    try:
        files: dict[str, str] = {}
        if booster is not None:
            booster.save_model(str(staging / MODEL_FILE))
            files[MODEL_FILE] = _sha256(staging / MODEL_FILE)
        if extra_labels is not None and extra_labels.num_rows:
            pq.write_table(extra_labels, staging / LABELS_FILE)
            files[LABELS_FILE] = _sha256(staging / LABELS_FILE)
        suffix = next(
            iter(files.values()), hashlib.sha256(json.dumps(manifest, default=str).encode()).hexdigest()
        )
        full = {
            **manifest,
            "format": FORMAT,
            "version": number,
            "model_version": f"v{number}-{suffix[:8]}",
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(full, indent=2, default=str))
        target = models_dir / f"v{number}"
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_artifact(target)


def latest_artifact_path(workspace: Workspace) -> Path:
    """The newest version's folder; NotReady when no model was trained."""
    versions = _versions(workspace.models_dir)
    if not versions:
        raise NotReady(f"no risk model in workspace {workspace.root}: run `fakescope train` first")
    return workspace.models_dir / f"v{versions[-1]}"


def load_artifact(path: Path) -> Artifact:
    """Load and verify one version; ArtifactError naming the file when anything is corrupted."""
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        for key in ("model_version", "features", "fallback", "files", "format"):
            if key not in manifest:
                raise ValueError(f"no {key!r}")
    except (OSError, ValueError) as exc:
        raise ArtifactError(
            f"model artifact {manifest_path} is unreadable ({exc}); run `fakescope train` again",
            path=str(path),
        ) from exc
    if manifest["format"] != FORMAT:
        raise ArtifactError(
            f"model artifact {path} has format {manifest['format']}, this fakescope reads {FORMAT}"
        )
    for name, expected in dict(manifest["files"]).items():
        file = path / name
        if not file.is_file() or _sha256(file) != expected:
            raise ArtifactError(
                f"model artifact {file} is missing or corrupted (checksum differs from its manifest); "
                "run `fakescope train` again",
                path=str(file),
            )
    booster = None
    if MODEL_FILE in manifest["files"]:
        try:
            booster = xgb.Booster()
            booster.load_model(str(path / MODEL_FILE))
        except xgb.core.XGBoostError as exc:
            raise ArtifactError(f"model artifact {path / MODEL_FILE} cannot be loaded: {exc}") from exc
    elif not manifest["fallback"]:
        raise ArtifactError(f"model artifact {path} names no model file but is not a rule fallback")
    labels = pq.read_table(path / LABELS_FILE) if LABELS_FILE in manifest["files"] else None
    return Artifact(path=path, manifest=manifest, booster=booster, extra_labels=labels)


def load_latest(workspace: Workspace) -> Artifact:
    """The newest verified model version."""
    return load_artifact(latest_artifact_path(workspace))
