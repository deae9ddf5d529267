"""The applicant's export (API.md v1.1 "The applicant's export", ADR 0024).

- `GET /v1/candidates/{cid}/export.json` (the candidate; auditor): the content for the
  application for specialist approval, signed with the portal's checkpoint key.
- `GET /v1/candidates/{cid}/export.pdf` (the candidate; auditor): the same, in Norwegian.
- `GET /v1/audit/keys` (any user): the public checkpoint keys as a JWK set.

Who may read is the history's rule (`check_can_read_history`, R24): the candidate and
auditors; others related to the candidate 403, anyone else 404 (no existence leak).
The content is read through the read port in one transaction
(`ReadPort.get_export_content`); the answer is `private, no-store`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from api.deps import IdentityDep, ServicesDep
from api.export_document import build_document
from api.export_keys import checkpoint_key, published_keys
from api.export_pdf import render_pdf
from api.routes.paths import CandidateId
from api.routes.queries import QUERY_PROBLEMS, QueryRoute, Reader, ReaderDep
from kompetanse_domain.application.service import CandidateNotFoundError
from kompetanse_domain.audit.export_signature import sign_export

router = APIRouter(tags=["export"], route_class=QueryRoute, responses=QUERY_PROBLEMS)
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


class Jwk(BaseModel):
    kty: str
    crv: str
    kid: str
    x: str


class JwkSet(BaseModel):
    keys: list[Jwk]


class ExportPublic(BaseModel):
    """The signed export; sections as the read side's answers (API.md, ADR 0024)."""

    model_config = ConfigDict(extra="allow")

    format: str
    portal: str
    candidate_id: str
    doctor: dict[str, Any]
    specialty: str
    plans: list[dict[str, Any]]
    signed_activities: list[dict[str, Any]]
    procedures: list[dict[str, Any]]
    supervision: dict[str, Any]
    readiness: dict[str, Any]
    readiness_by_specialty: list[dict[str, Any]]
    generated_at: str
    position: int
    key_id: str
    digests: dict[str, str]
    signature: str


def signed_export(read: Reader, cid: UUID) -> dict[str, Any]:
    """The signed document, after the candidate-or-auditor check."""
    application = read.services.application
    actor = application.actor_for(read.identity, cid)
    application.get_candidate(cid).check_can_read_history(actor)
    content = read.queries.get_export_content(cid)
    if content is None:  # registered, but not yet in the views: as if unknown
        raise CandidateNotFoundError(f"Candidate {cid} not found")
    document = build_document(
        content, portal=read.services.settings.portal_id, generated_at=datetime.now(UTC)
    )
    return sign_export(document, checkpoint_key(read.services.settings.data_dir))


def _disposition(cid: UUID, extension: str) -> dict[str, str]:
    name = f"kompetanse-eksport-{cid}.{extension}"
    return {**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/v1/candidates/{cid}/export.json", response_model=ExportPublic)
def export_json(cid: CandidateId, read: ReaderDep) -> Response:
    """The content for the application for specialist approval, signed (Ed25519 over the
    RFC 8785 canonical JSON without `signature`), to check with `GET /v1/audit/keys`."""
    body = json.dumps(signed_export(read, cid), ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json", headers=_disposition(cid, "json"))


@router.get(
    "/v1/candidates/{cid}/export.pdf",
    response_class=Response,
    responses={
        200: {
            "description": "The export as a PDF, in Norwegian (bokmål).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def export_pdf(cid: CandidateId, read: ReaderDep) -> Response:
    """The same content as `export.json`, as a PDF in Norwegian for the application."""
    pdf = render_pdf(signed_export(read, cid))
    return Response(pdf, media_type="application/pdf", headers=_disposition(cid, "pdf"))


@router.get("/v1/audit/keys", response_model=JwkSet)
def audit_keys(services: ServicesDep, identity: IdentityDep) -> dict[str, Any]:
    """The portal's public checkpoint keys (RFC 8037 JWKs), to check an export or a
    checkpoint; `kompetanse audit verify-export FILE --key URL|FILE` does it offline."""
    del identity  # any signed-in user
    return {"keys": published_keys(services.settings.data_dir)}
