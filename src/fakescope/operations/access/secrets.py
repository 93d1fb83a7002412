"""The workspace secret that keys token hashes: FAKESCOPE_SECRET_KEY, else a random file made on first use.

The file is created once with mode 0600 and never rewritten, so every process of a workspace agrees.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from fakescope.settings import Settings
from fakescope.workspace import Workspace


def secret_key(settings: Settings) -> bytes:
    """The key for keyed hashes of this deployment."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    return _file_secret(_key_file(settings.workspace))


@lru_cache(maxsize=16)
def _key_file(workspace: Path) -> Path:
    # Resolved once per workspace: resolving walks the file system, and every token check asks.
    return Workspace(workspace).secret_key_file.resolve()


@lru_cache(maxsize=16)
def _file_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    text = path.read_text().strip()
    if len(text) < 32:
        raise RuntimeError(f"secret key file {path} is empty or too short")
    return text.encode("utf-8")
