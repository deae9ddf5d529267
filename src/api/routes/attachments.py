"""Uploading a course certificate (R9, ADR 0009).

The file is streamed into the content-addressed store (type by content, size
capped while reading), then the application records its hash and size. Storing
first is harmless: a refused upload leaves at most an unreferenced blob, never an
event that names a missing file.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.commanding import CommandDep
from api.deps import ServicesDep
from api.responses import ATTACHMENT_PROBLEMS, AttachmentStored
from api.routes.paths import CandidateId

router = APIRouter(tags=["candidates"], responses=ATTACHMENT_PROBLEMS)


@router.post("/v1/candidates/{cid}/attachments", status_code=201, response_model=AttachmentStored)
async def upload_attachment(
    cid: CandidateId, file: UploadFile, services: ServicesDep, cmd: CommandDep
) -> Response:
    """R9: upload a course certificate: PDF, PNG or JPEG, at most 10 MiB."""
    save = services.attachments.save
    blob = await run_in_threadpool(save, file.file, limit=services.settings.max_upload)
    filename = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    fingerprint = {"sha256": blob.sha256, "filename": filename}
    return await cmd.run(
        lambda ctx: cmd.application.upload_attachment(
            ctx,
            cid,
            sha256=blob.sha256,
            size=blob.size,
            media_type=blob.media_type,
            filename="".join(ch for ch in filename if ch.isprintable())[:255],
        ),
        fingerprint,
        status=201,
    )
