"""The applicant's export on the pages (API.md v1.1 "The applicant's export", R24): the
same signed bytes as GET /v1/candidates/{cid}/export.pdf and export.json, built by the
API's own function with the session's identity (the candidate and auditors; the
domain refuses others). Always a download."""

from __future__ import annotations

import json
from uuid import UUID

from fastapi import APIRouter, Request, Response

from api.export_pdf import render_pdf
from api.routes.export import signed_export
from api.routes.queries import Reader
from web.pages import WebRoute, signed_in, web_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _download(cid: UUID, body: bytes, media_type: str, extension: str) -> Response:
    name = f"kompetanse-eksport-{cid}.{extension}"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def _reader(request: Request) -> Reader:
    return Reader(services=web_of(request).services, identity=signed_in(request))


@router.get("/kandidater/{cid}/eksport.pdf")
def export_pdf(request: Request, cid: UUID) -> Response:
    pdf = render_pdf(signed_export(_reader(request), cid))
    return _download(cid, pdf, "application/pdf", "pdf")


@router.get("/kandidater/{cid}/eksport.json")
def export_json(request: Request, cid: UUID) -> Response:
    document = signed_export(_reader(request), cid)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return _download(cid, body, "application/json", "json")
