"""Attaching evidence to cases, reading and exporting it (verified against its hash each time), checking all.

Bytes are stored first (content-addressed) and the row second, so a crash never leaves a half-item.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fakescope.core.clock import utcnow
from fakescope.core.hashing import CHUNK_SIZE
from fakescope.core.ids import new_id
from fakescope.errors import FieldInvalid, IllegalTransition, IntegrityError, NotFound, UsageError
from fakescope.operations.access.policy import ADD_EVIDENCE, require
from fakescope.operations.access.principal import Principal
from fakescope.operations.cases.models import Case
from fakescope.operations.cases.service import get_case
from fakescope.operations.cases.transitions import EVIDENCE_STATES
from fakescope.operations.evidence import custody
from fakescope.operations.evidence.models import EVIDENCE_KINDS, Evidence, EvidenceBlob
from fakescope.operations.evidence.storage import LocalStorage
from fakescope.operations.ledger.service import actor_name
from fakescope.settings import Settings
from fakescope.workspace import Workspace


def storage_for(settings: Settings) -> LocalStorage:
    """The evidence store of a workspace."""
    return LocalStorage(Workspace(settings.workspace).evidence_dir)


def guess_kind(filename: str | None, content_type: str | None = None) -> str:
    """video, photo, or other, from a content type or a file name."""
    kind = content_type or (mimetypes.guess_type(filename)[0] if filename else None) or ""
    if kind.startswith("video/"):
        return "video"
    if kind.startswith("image/"):
        return "photo"
    return "other"


def check_can_attach(session: Session, *, case_id: str, actor: Principal) -> Case:
    """The case, if this user may add evidence to it now (from purchase until close)."""
    case = get_case(session, case_id=case_id, user=actor)
    require(actor, ADD_EVIDENCE, "add evidence")
    if case.state not in EVIDENCE_STATES:
        raise IllegalTransition(
            f"evidence can be attached from purchased until the case closes; case {case_id} is {case.state}",
            state=case.state,
            version=case.version,
        )
    return case


def attach(
    session: Session,
    *,
    case_id: str,
    sha256: str,
    size: int,
    kind: str,
    actor: Principal,
    filename: str | None = None,
    content_type: str | None = None,
    place: str | None = None,
) -> tuple[Evidence, bool]:
    """Attach stored bytes to a case; (item, True) when new, (the existing item, False) for a repeat."""
    if kind not in EVIDENCE_KINDS:
        raise FieldInvalid("kind", f"must be one of {', '.join(EVIDENCE_KINDS)}, not {kind!r}")
    case = check_can_attach(session, case_id=case_id, actor=actor)
    existing = session.scalar(select(Evidence).where(Evidence.case_id == case_id, Evidence.sha256 == sha256))
    if existing is not None:
        return existing, False
    if session.get(EvidenceBlob, sha256) is None:
        session.add(EvidenceBlob(sha256=sha256, size=size, stored_at=utcnow()))
        session.flush()  # the blob row first: the item's foreign key points at it
    item = Evidence(
        evidence_id=new_id("ev"),
        case_id=case.case_id,
        sha256=sha256,
        size=size,
        kind=kind,
        filename=filename,
        content_type=content_type,
        collected_by=actor_name(actor),
        collected_at=utcnow(),
    )
    session.add(item)
    session.flush()
    custody.record(
        session,
        item_type="evidence",
        item_id=item.evidence_id,
        case_id=case.case_id,
        action="collected",
        actor=actor,
        place=place,
        details={"sha256": sha256, "size": size, "kind": kind, "filename": filename},
    )
    return item, True


def store_stream(chunks: Iterable[bytes], *, settings: Settings) -> tuple[str, int]:
    """Write a stream into the store (deduplicated); (sha256, size). Over the limit: PayloadTooLarge."""
    writer = storage_for(settings).writer(max_bytes=settings.operations.max_upload_bytes)
    try:
        for chunk in chunks:
            writer.write(chunk)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


def add_file(
    session: Session,
    *,
    case_id: str,
    path: Path,
    actor: Principal,
    settings: Settings,
    kind: str | None = None,
    place: str | None = None,
) -> tuple[Evidence, bool]:
    """Stream a local file into the store and attach it to a case."""
    if not path.is_file():
        raise UsageError(f"evidence file {path} does not exist")
    check_can_attach(session, case_id=case_id, actor=actor)
    if kind is not None and kind not in EVIDENCE_KINDS:
        raise FieldInvalid("kind", f"must be one of {', '.join(EVIDENCE_KINDS)}, not {kind!r}")
    storage_for(settings).sweep_temp()
    with path.open("rb") as handle:
        sha256, size = store_stream(iter(lambda: handle.read(CHUNK_SIZE), b""), settings=settings)
    return attach(
        session,
        case_id=case_id,
        sha256=sha256,
        size=size,
        kind=kind or guess_kind(path.name),
        actor=actor,
        filename=path.name,
        content_type=mimetypes.guess_type(path.name)[0],
        place=place,
    )


def list_evidence(session: Session, *, case_id: str, user: Principal) -> list[Evidence]:
    """The evidence of a case this user may see."""
    get_case(session, case_id=case_id, user=user)
    stmt = select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.collected_at)
    return list(session.scalars(stmt))


def get_evidence(session: Session, *, evidence_id: str, user: Principal) -> Evidence:
    """One evidence item, if its case is visible to this user."""
    item = session.get(Evidence, evidence_id)
    if item is None:
        raise NotFound(f"no evidence {evidence_id!r}")
    try:
        get_case(session, case_id=item.case_id, user=user)
    except NotFound:
        raise NotFound(f"no evidence {evidence_id!r}") from None
    return item


def open_for_reading(
    session: Session, *, evidence_id: str, user: Principal, settings: Settings, place: str | None = None
) -> tuple[Evidence, Iterator[bytes]]:
    """The item and its bytes, checked against the hash first; records a `viewed` custody event."""
    item = get_evidence(session, evidence_id=evidence_id, user=user)
    chunks = storage_for(settings).read(item.sha256)
    custody.record(
        session,
        item_type="evidence",
        item_id=item.evidence_id,
        case_id=item.case_id,
        action="viewed",
        actor=user,
        place=place,
    )
    return item, chunks


def export(
    session: Session,
    *,
    evidence_id: str,
    dest: Path,
    user: Principal,
    settings: Settings,
    place: str | None = None,
) -> Evidence:
    """Copy an item out of the store, re-hashing as it copies; nothing is left at `dest` if it fails."""
    item = get_evidence(session, evidence_id=evidence_id, user=user)
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    digest = hashlib.sha256()
    try:
        with temp.open("xb") as out:
            for chunk in storage_for(settings).read(item.sha256):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != item.sha256:
            raise IntegrityError(f"evidence {evidence_id} changed while exporting", sha256=item.sha256)
        os.replace(temp, dest)
    finally:
        temp.unlink(missing_ok=True)
    custody.record(
        session,
        item_type="evidence",
        item_id=item.evidence_id,
        case_id=item.case_id,
        action="exported",
        actor=user,
        place=place,
        details={"to": str(dest)},
    )
    return item


@dataclass(frozen=True)
class EvidenceProblem:
    """One evidence file that is missing or does not match its hash."""

    sha256: str
    path: str
    message: str
    evidence_ids: tuple[str, ...]

    def __str__(self) -> str:
        items = ", ".join(self.evidence_ids) or "no item"
        return f"evidence file {self.path}: {self.message} (evidence {items})"


def verify_store(session: Session, *, settings: Settings) -> tuple[int, list[EvidenceProblem]]:
    """Re-hash every stored evidence file the database knows; (files checked, problems)."""
    store = storage_for(settings)
    problems: list[EvidenceProblem] = []
    checked = 0
    for blob in session.scalars(select(EvidenceBlob).order_by(EvidenceBlob.sha256)):
        checked += 1
        path = store.path_for(blob.sha256)
        ids = tuple(
            session.scalars(
                select(Evidence.evidence_id)
                .where(Evidence.sha256 == blob.sha256)
                .order_by(Evidence.evidence_id)
            )
        )
        try:
            ok, size = store.verify(blob.sha256)
        except IntegrityError:
            problems.append(EvidenceProblem(blob.sha256, str(path), "missing", ids))
            continue
        if not ok:
            problems.append(
                EvidenceProblem(blob.sha256, str(path), "content does not match its SHA-256 (altered)", ids)
            )
        elif size != blob.size:
            problems.append(
                EvidenceProblem(blob.sha256, str(path), f"size {size} != recorded {blob.size}", ids)
            )
    return checked, problems
