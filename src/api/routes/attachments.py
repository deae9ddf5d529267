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

Downloading (R27, API.md v1.1 "Evidence"): the domain decides who may open a file
(`Candidate.check_can_download_attachment`); whether a supervisor was sent an
activity carrying it is read from the `goals` view (`ReadPort.attachment_sent_to`),
which keeps that for all of a candidate's goals. Everyone else, and a file of
another candidate, gets one and the same 404. The file is served as a download,
never shown inline: `Content-Disposition: attachment` with a name made safe for the
header, `X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from api.attachments import StoredBlob
from api.commanding import CommandDep
from api.deps import Services, ServicesDep
from api.errors import is_store_outage
from api.responses import ATTACHMENT_PROBLEMS, AttachmentStored
from api.routes.paths import CandidateId
from api.routes.queries import ReaderDep, query_router
from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.identity import Identity
from projections.queries.port import ReadPort

router = APIRouter(tags=["candidates"], responses=ATTACHMENT_PROBLEMS)
reads = query_router()

_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
_ASCII_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+-]+")


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
    filename = own_name(file.filename)
    fingerprint = {"sha256": blob.sha256, "filename": filename}
    return await cmd.run(
        lambda ctx: record_upload(cmd.application, ctx, cid, blob, filename),
        fingerprint,
        status=201,
    )


def own_name(filename: str | None) -> str:
    """The file's own name, without the folders some browsers send with it."""
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1]


def record_upload(
    application: KompetanseApplication,
    ctx: CommandContext,
    cid: UUID,
    blob: StoredBlob,
    filename: str,
) -> Outcome:
    """The application records the stored file (the API's upload and the goal page's)."""
    return application.upload_attachment(
        ctx,
        cid,
        sha256=blob.sha256,
        size=blob.size,
        media_type=blob.media_type,
        filename="".join(ch for ch in filename if ch.isprintable())[:255],
    )


@reads.get(
    "/v1/candidates/{cid}/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The stored file, as a download (R27)",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in _EXTENSIONS
            },
            "headers": {
                "Content-Disposition": {
                    "description": 'attachment; filename="<name made safe>"; '
                    "filename*=UTF-8''<the name> (when it differs)",
                    "schema": {"type": "string"},
                    "required": True,
                },
                "X-Content-Type-Options": {
                    "schema": {"type": "string", "enum": ["nosniff"]},
                    "required": True,
                },
                "Cache-Control": {
                    "schema": {"type": "string", "enum": ["private, no-store"]},
                    "required": True,
                },
            },
        }
    },
)
def download_attachment(cid: CandidateId, attachment_id: str, read: ReaderDep) -> FileResponse:
    """R27: the stored file, for the candidate, leader, deputy, veileder, auditors and
    a supervisor who was sent an activity carrying it; 404 for anyone else."""
    return stored_file(read.services, read.queries, read.identity, cid, attachment_id)


def stored_file(
    services: Services, queries: ReadPort, identity: Identity, cid: UUID, attachment_id: str
) -> FileResponse:
    """R27: the file as a download, for exactly those the domain lets open it (the API's
    download and the pages')."""
    stored = services.application.attachment_to_download(
        identity,
        cid,
        attachment_id,
        sent_to=lambda sub: queries.attachment_sent_to(cid, attachment_id, sub),
    )
    path = services.attachments.path_of(stored["sha256"])
    if not path.is_file():
        raise NotFoundError(
            "The stored file of this attachment is missing; ask an operator to restore it"
        )
    return FileResponse(
        path,
        media_type=stored["media_type"],
        headers={
            "Content-Disposition": content_disposition(stored["filename"], stored["media_type"]),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def content_disposition(filename: str, media_type: str) -> str:
    """`attachment; filename="<ASCII>"` and, for other names, RFC 5987's `filename*`.

    The ASCII name keeps letters, digits and `._ ()+-` (æøå become ae, o, a; other
    accents lose their mark; anything else, quotes too, becomes `_`; white space, line
    breaks too, becomes one space).
    A name that keeps nothing becomes `attachment` with the type's extension.
    """
    name = " ".join(unicodedata.normalize("NFC", filename).split())  # no CR, LF, tabs
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII_LETTERS))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    plain = _UNSAFE.sub("_", plain).strip(" ._") or "attachment"
    if "." not in plain:
        plain += _EXTENSIONS.get(media_type, "")
    header = f'attachment; filename="{plain}"'
    if name and name != plain:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header
