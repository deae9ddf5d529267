"""Uploading a course certificate (R9, ADR 0009).

First the domain says whether the caller may attach to this candidate (the rule
of `Candidate.check_can_attach`, as the command applies it): a stranger, an auditor
or an upload to a candidate that does not exist is refused before anything is
stored. Then the file is streamed into the content-addressed store (type by
content, size capped while reading; a refused file leaves nothing), and the
application records its hash and size. Storing before saving means a command that
fails after all (a stale `If-Match`, the store gone) leaves an unreferenced file,
never an event that names a missing one; `kompetanse attachments sweep` removes
such files after a grace period.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.commanding import CommandDep
from api.deps import ServicesDep
from api.errors import is_store_outage
from api.responses import ATTACHMENT_PROBLEMS, AttachmentStored
from api.routes.paths import CandidateId

router = APIRouter(tags=["candidates"], responses=ATTACHMENT_PROBLEMS)


@router.post("/v1/candidates/{cid}/attachments", status_code=201, response_model=AttachmentStored)
async def upload_attachment(
    cid: CandidateId, file: UploadFile, services: ServicesDep, cmd: CommandDep
) -> Response:
    """R9: upload a course certificate: PDF, PNG or JPEG, at most 10 MiB."""
    try:  # who may attach, before anything is stored
        await run_in_threadpool(cmd.application.check_can_attach, cmd.identity, cid)
    except Exception as error:
        if is_store_outage(error):
            cmd.store.saw_outage(error)  # later commands are refused at once meanwhile
        raise
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
