"""Evidence endpoints: streaming upload (never whole in memory), listing, verified download, custody.

The upload writes the request stream to a temp file while hashing, then renames it; the row comes after.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fakescope.api.deps import CurrentUser, SessionDep, SettingsDep
from fakescope.errors import FieldInvalid, PayloadTooLarge
from fakescope.operations.evidence import custody
from fakescope.operations.evidence import service as evidence
from fakescope.operations.evidence.models import EVIDENCE_KINDS
from fakescope.operations.evidence.schemas import CustodyRead, EvidenceRead, EvidenceUploaded
from fakescope.operations.storehouse import service as storehouse
from fakescope.operations.storehouse.schemas import SampleAction, SampleRead

router = APIRouter(tags=["evidence"])


def _place(request: Request) -> str:
    host = request.client.host if request.client else "unknown"
    return f"api {host}"


def _attach_and_commit(session: Session, **kwargs: object) -> EvidenceUploaded:
    item, created = evidence.attach(session, **kwargs)  # type: ignore[arg-type]
    session.commit()
    return EvidenceUploaded.model_validate(
        {**EvidenceRead.model_validate(item).model_dump(), "created": created}
    )


@router.post(
    "/cases/{case_id}/evidence",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "required": True,
        }
    },
)
async def upload_evidence(
    case_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    kind: str | None = None,
    filename: str | None = None,
) -> EvidenceUploaded:
    """Upload one file as the raw request body (`?kind=video|photo|receipt|report&filename=...`)."""
    if kind is not None and kind not in EVIDENCE_KINDS:
        raise FieldInvalid("kind", f"must be one of {', '.join(EVIDENCE_KINDS)}, not {kind!r}")
    limit = settings.operations.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"upload of {declared} bytes is over the limit of {limit} bytes", limit=limit)
    await run_in_threadpool(evidence.check_can_attach, session, case_id=case_id, actor=user)
    # Release the connection (and SQLite's write lock) while the bytes arrive, which may take minutes.
    await run_in_threadpool(session.rollback)
    writer = evidence.storage_for(settings).writer(max_bytes=limit)
    try:
        async for chunk in request.stream():
            if chunk:
                writer.write(chunk)
        sha256, size = await run_in_threadpool(writer.commit)
    except BaseException:
        writer.abort()
        raise
    content_type = request.headers.get("content-type")
    if content_type in (None, "application/octet-stream"):
        content_type = None
    return await run_in_threadpool(
        _attach_and_commit,
        session,
        case_id=case_id,
        sha256=sha256,
        size=size,
        kind=kind or evidence.guess_kind(filename, content_type),
        actor=user,
        filename=filename,
        content_type=content_type,
        place=_place(request),
    )


@router.get("/cases/{case_id}/evidence")
def list_evidence(case_id: str, session: SessionDep, user: CurrentUser) -> list[EvidenceRead]:
    """The evidence attached to a case."""
    return [
        EvidenceRead.model_validate(item)
        for item in evidence.list_evidence(session, case_id=case_id, user=user)
    ]


@router.get("/evidence/{evidence_id}")
def get_evidence(evidence_id: str, session: SessionDep, user: CurrentUser) -> EvidenceRead:
    """One evidence item's record."""
    return EvidenceRead.model_validate(evidence.get_evidence(session, evidence_id=evidence_id, user=user))


@router.get("/evidence/{evidence_id}/custody")
def evidence_custody(evidence_id: str, session: SessionDep, user: CurrentUser) -> list[CustodyRead]:
    """The item's chain of custody, oldest first."""
    item = evidence.get_evidence(session, evidence_id=evidence_id, user=user)
    return [CustodyRead.model_validate(event) for event in custody.history(session, item_id=item.evidence_id)]


@router.get("/evidence/{evidence_id}/content", response_class=StreamingResponse)
def download_evidence(
    evidence_id: str, request: Request, settings: SettingsDep, user: CurrentUser, session: SessionDep
) -> StreamingResponse:
    """The file, checked against its SHA-256 before a byte is sent; the viewing is recorded in custody."""
    item, chunks = evidence.open_for_reading(
        session, evidence_id=evidence_id, user=user, settings=settings, place=_place(request)
    )
    session.commit()
    headers = {"X-Content-SHA256": item.sha256, "Content-Length": str(item.size)}
    if item.filename:
        headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    body: Iterator[bytes] = chunks
    return StreamingResponse(
        body, media_type=item.content_type or "application/octet-stream", headers=headers
    )


@router.get("/cases/{case_id}/sample")
def case_sample(case_id: str, session: SessionDep, user: CurrentUser) -> SampleRead:
    """The case's physical sample in the storehouse."""
    from fakescope.errors import NotFound
    from fakescope.operations.cases.service import get_case

    get_case(session, case_id=case_id, user=user)
    sample = storehouse.sample_for_case(session, case_id=case_id)
    if sample is None:
        raise NotFound(f"case {case_id} has no sample yet")
    return SampleRead.model_validate(sample)


@router.post("/samples/{sample_id}/actions")
def sample_action(sample_id: str, body: SampleAction, session: SessionDep, user: CurrentUser) -> SampleRead:
    """Check a sample in or out, move it, put or lift a legal hold, or dispose of it (not in retention)."""
    sample = storehouse.perform(
        session,
        sample_id=sample_id,
        action=body.action,
        actor=user,
        location=body.location,
        holder=body.holder,
        reason=body.reason,
    )
    session.commit()
    return SampleRead.model_validate(sample)


@router.get("/samples/{sample_id}/custody")
def sample_custody(sample_id: str, session: SessionDep, user: CurrentUser) -> list[CustodyRead]:
    """The sample's chain of custody."""
    sample = storehouse.get_sample(session, sample_id=sample_id, user=user)
    return [CustodyRead.model_validate(event) for event in custody.history(session, item_id=sample.sample_id)]
