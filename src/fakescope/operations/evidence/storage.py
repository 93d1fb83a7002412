"""Where evidence bytes live: a storage interface, and the local content-addressed store in the workspace.

Hashes while streaming into a temp file, fsyncs, then renames it to `<sha256>`: never a partial file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from fakescope.core.hashing import CHUNK_SIZE
from fakescope.errors import IntegrityError, NotFound, PayloadTooLarge


class BlobWriter(Protocol):
    """An upload in progress: bytes go in, the content's hash comes out on commit."""

    def write(self, chunk: bytes) -> None: ...

    def commit(self) -> tuple[str, int]: ...

    def abort(self) -> None: ...


class EvidenceStorage(Protocol):
    """What evidence needs from a store; an object store can implement it later."""

    def writer(self, *, max_bytes: int) -> BlobWriter: ...

    def exists(self, sha256: str) -> bool: ...

    def read(self, sha256: str) -> Iterator[bytes]: ...

    def verify(self, sha256: str) -> tuple[bool, int]: ...

    def list_hashes(self) -> Iterator[str]: ...


class _LocalWriter:
    def __init__(self, store: LocalStorage, max_bytes: int) -> None:
        self._store = store
        self._max = max_bytes
        store.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.temp_path = store.tmp_dir / f"{os.getpid()}-{secrets.token_hex(8)}.part"
        self._handle = self.temp_path.open("xb")
        self._digest = hashlib.sha256()
        self.size = 0
        self._closed = False

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self._max:
            self.abort()
            raise PayloadTooLarge(f"upload is over the limit of {self._max} bytes", limit=self._max)
        self._handle.write(chunk)
        self._digest.update(chunk)
        self.size += len(chunk)

    def commit(self) -> tuple[str, int]:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._closed = True
        sha256 = self._digest.hexdigest()
        final = self._store.path_for(sha256)
        if final.exists():
            self.temp_path.unlink(missing_ok=True)  # deduplicated: the same content is stored already
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.temp_path, final)
            os.chmod(final, 0o444)
            _fsync_dir(final.parent)
        return sha256, self.size

    def abort(self) -> None:
        if not self._closed:
            self._handle.close()
            self._closed = True
        self.temp_path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_hex64(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class LocalStorage:
    """Files under `root/ab/<sha256>`; temp files under `root/tmp/<pid>-<random>.part`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        if not _is_hex64(sha256):
            raise NotFound(f"no evidence blob {sha256!r}")
        return self.root / sha256[:2] / sha256

    def writer(self, *, max_bytes: int) -> _LocalWriter:
        return _LocalWriter(self, max_bytes)

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def _chunks(self, sha256: str) -> Iterator[bytes]:
        path = self.path_for(sha256)
        if not path.is_file():
            raise IntegrityError(f"evidence file {sha256} is missing from the store", sha256=sha256)
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def verify(self, sha256: str) -> tuple[bool, int]:
        """(whether the file hashes to its name, its size); a missing file raises IntegrityError."""
        digest, size = hashlib.sha256(), 0
        for chunk in self._chunks(sha256):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest() == sha256, size

    def read(self, sha256: str) -> Iterator[bytes]:
        """The file's bytes, after checking the whole file against its hash (so nothing bad is served)."""
        ok, _ = self.verify(sha256)
        if not ok:
            raise IntegrityError(f"evidence file {sha256} does not match its hash (altered)", sha256=sha256)
        return self._chunks(sha256)

    def list_hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for path in sorted(folder.iterdir()):
                    if _is_hex64(path.name):
                        yield path.name

    def sweep_temp(self) -> int:
        """Remove temp files left by processes that died mid-upload; returns how many."""
        removed = 0
        if not self.tmp_dir.is_dir():
            return 0
        for path in self.tmp_dir.glob("*.part"):
            pid_text = path.name.split("-", 1)[0]
            if pid_text.isdigit() and _alive(int(pid_text)):
                continue
            path.unlink(missing_ok=True)
            removed += 1
        return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
