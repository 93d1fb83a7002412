"""Where evidence bytes live: a storage interface, and the local content-addressed store in the workspace.

Hashes while streaming into a temp file, fsyncs, then renames it to `<sha256>`: never a partial file.
"""

from __future__ import annotations

import fcntl
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
        self.temp_path, fd = _locked_temp_file(store.tmp_dir)
        self._handle = os.fdopen(fd, "wb")
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
        sha256 = self._digest.hexdigest()
        final = self._store.path_for(sha256)
        # Renamed while still open and locked, so no sweep can take the temp file in between.
        try:
            if final.exists():
                self.temp_path.unlink(missing_ok=True)  # deduplicated: the same content is stored already
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.temp_path, final)
                os.chmod(final, 0o444)
                _fsync_dir(final.parent)
        finally:
            self._handle.close()
            self._closed = True
        return sha256, self.size

    def abort(self) -> None:
        if not self._closed:
            self._handle.close()
            self._closed = True
        self.temp_path.unlink(missing_ok=True)


def _locked_temp_file(tmp_dir: Path) -> tuple[Path, int]:
    """A new temp file, held under an exclusive flock for as long as this upload's descriptor is open.

    The lock, not the writer's pid, says the upload is alive: the kernel drops it the moment the process
    dies, while a killed worker's pid can linger as an unreaped zombie or be reused.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    while True:
        path = tmp_dir / f"{os.getpid()}-{secrets.token_hex(8)}.part"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a sweep took it between create and lock: it will delete it
            os.close(fd)
            continue
        if os.fstat(fd).st_nlink:
            return path, fd
        os.close(fd)  # a sweep deleted it before we locked it: start again under a new name


def _sweep_if_dead(path: Path) -> bool:
    """Delete a temp file whose upload is over (nobody holds its lock); whether it was deleted."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # an upload in progress, in this process or another
        try:
            if os.stat(path).st_ino != os.fstat(fd).st_ino:
                return False
        except FileNotFoundError:
            return False
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


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
        if not self.tmp_dir.is_dir():
            return 0
        return sum(_sweep_if_dead(path) for path in self.tmp_dir.glob("*.part"))
