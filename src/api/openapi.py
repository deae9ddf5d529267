"""The OpenAPI document says what the server enforces (ADR 0009; issue 22, finding 12).

FastAPI derives the document from the request models; what the domain decides (the
roles one may invite, the activity kinds, the specialties of this deployment's
catalogue, the shape of an e-mail address or an HPR number) and what the routes add
(`ETag`, `X-Event-Position`, `X-Projection-Position`, `Retry-After`) is declared here,
from the same constants the domain and the routes use. `links` lead a client (and
schemathesis' stateful phase) from each created resource to the calls that follow.

Every keyword added here is one the server enforces: a value the document refuses
is refused by the server (422, or 400 for `X-Min-Position`), and a value it allows
passes validation. `tests/api/test_api_contract_openapi.py` holds both to that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI

from kompetanse_domain.catalogue.model import VERSION_PATTERN
from kompetanse_domain.model.finding import Q_MAX, Q_MIN
from kompetanse_domain.model.identity import EMAIL_PATTERN, INVITABLE_ROLES
from kompetanse_domain.model.vocabulary import (
    ACTIVITY_KINDS,
    ConcernState,
    InvitationState,
    PlanState,
)

INVITABLE = sorted(role.value for role in INVITABLE_ROLES)
KINDS = list(ACTIVITY_KINDS)
# The answers' other states are typed with the vocabulary's enums in their models; a plan's
# is declared here, as its enum's name is taken by the `PlanState` answer model.
PLAN_STATES = [state.value for state in PlanState]
INVITATION_STATES = [state.value for state in InvitationState]
# The domain's own rule for an address, exactly. Not `format: email` as well: that format
# admits addresses the domain refuses (`a@localhost`), and with the pattern beside it
# schemathesis' coverage phase spent 45 s generating examples.
EMAIL = {"pattern": EMAIL_PATTERN.pattern, "description": "An e-mail address: local@domain.tld"}
POSITION = {"type": "string", "pattern": r"^[0-9]{1,18}$"}
UUID = {"type": "string", "format": "uuid"}
CONCERN_STATES = {"enum": [state.value for state in ConcernState]}  # R26

HEADERS: dict[str, dict[str, Any]] = {
    "X-Event-Position": {
        "description": "The position of this command's last event; send it as "
        "`X-Min-Position` to read your own write.",
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    },
    "ETag": {
        "description": 'The resource\'s version, e.g. `"3"`; send it as `If-Match`.',
        "schema": {"type": "string", "pattern": r'^"[0-9]+"$'},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request "
        "with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "X-Projection-Position": {
        "description": "The last event position the views have applied.",
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    },
}

# (component schema, property) -> keywords the server enforces on it.
PROPERTIES: dict[tuple[str, str], dict[str, Any]] = {
    ("Invite", "role"): {"enum": INVITABLE},
    ("Invite", "email"): EMAIL,
    ("RegisterCandidate", "email"): EMAIL,
    ("RegisterActivity", "kind"): {"enum": KINDS},
    ("EditActivity", "kind"): {"enum": KINDS},  # R29
    ("DecisionPublic", "decision"): {"enum": ["approved", "rejected"]},
    ("PlanState", "state"): {"enum": PLAN_STATES},
    ("PlanAsOf", "state"): {"enum": PLAN_STATES},
    ("CandidateRegistered", "candidate_id"): UUID,
    ("InvitationIssued", "invitation_id"): UUID,
    ("InvitationAccepted", "candidate_id"): UUID,
    ("InvitationAccepted", "role"): {"enum": INVITABLE},
    ("ActivityRegistered", "activity_id"): UUID,
    ("CommentWritten", "comment_id"): UUID,
    ("MeetingCreated", "meeting_id"): UUID,
    ("AttachmentStored", "attachment_id"): UUID,
    ("ApprovalImported", "candidate_id"): UUID,
    # the profile and the invitations list (API.md v1.1, R28)
    ("EditProfile", "email"): EMAIL,
    ("ProfileEdited", "candidate_id"): UUID,
    ("SpecialtyChanged", "candidate_id"): UUID,
    ("InvitationItem", "invitation_id"): UUID,
    ("InvitationItem", "role"): {"enum": INVITABLE},
    ("InvitationItem", "state"): {"enum": INVITATION_STATES},
    # R26: a concern is open or resolved (a meeting's states are its enum's, R25)
    ("ConcernRaised", "concern_id"): UUID,
    ("Concern", "state"): CONCERN_STATES,
    ("Concern", "concern_id"): UUID,
    ("ConcernAsOf", "state"): CONCERN_STATES,
    # R30, ADR 0026: an old goal that left the plan, in its state when it left
    ("DroppedGoal", "state"): {
        "enum": ["not_started", "sent_for_approval", "approved", "rejected", "sent_for_signing"]
    },
}

# (method, path, parameter) -> keywords for that parameter's schema.
PARAMETERS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("delete", "/v1/candidates/{cid}/roles/{role}/{sub}", "role"): {"enum": INVITABLE},
    ("get", "/v1/candidates/{cid}/history", "as_of"): {"format": "date-time"},
    ("get", "/v1/candidates/{cid}/state", "as_of"): {"format": "date-time"},
    # finding things (API.md v1.1): the domain checks these after who asks (403 first)
    ("get", "/v1/candidates", "hpr_number"): {"pattern": r"^[0-9]{4,9}$"},
    ("get", "/v1/candidates", "q"): {"minLength": Q_MIN, "maxLength": Q_MAX},
    ("get", "/v1/catalogue/plans/{code}", "version"): {"pattern": VERSION_PATTERN},
}

CANDIDATE = "/v1/candidates/{cid}"
GOAL = CANDIDATE + "/goals/{code}"
ACTIVITY = GOAL + "/activities/{aid}"
MEETING = "/v1/meetings/{mid}"

# (method, path, status) of a creating call -> {link name: (method, path, parameters)}.
_NEW_CANDIDATE = {"cid": "$response.body#/candidate_id"}
_SAME_CANDIDATE = {"cid": "$request.path.cid"}
_NEW_MEETING = {"mid": "$response.body#/meeting_id"}
_NEW_ACTIVITY = {
    "cid": "$request.path.cid",
    "code": "$request.path.code",
    "aid": "$response.body#/activity_id",
}
_FIRST_GOAL = {"cid": "$request.path.cid", "code": "{$response.body#/plan_code}-001"}
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, str]]]] = {
    ("post", "/v1/candidates", "201"): {
        "GetCandidate": ("get", CANDIDATE, _NEW_CANDIDATE),
        "Invite": ("post", CANDIDATE + "/invitations", _NEW_CANDIDATE),
        "AssignPlan": ("post", CANDIDATE + "/plans", _NEW_CANDIDATE),
        "CreateMeeting": ("post", CANDIDATE + "/meetings", _NEW_CANDIDATE),
        "ListMeetings": ("get", CANDIDATE + "/meetings", _NEW_CANDIDATE),
        "GetProgress": ("get", CANDIDATE + "/progress", _NEW_CANDIDATE),
        "UploadAttachment": ("post", CANDIDATE + "/attachments", _NEW_CANDIDATE),
        "GetHistory": ("get", CANDIDATE + "/history", _NEW_CANDIDATE),
        "GetState": ("get", CANDIDATE + "/state", _NEW_CANDIDATE),
        "VerifyHistory": ("get", CANDIDATE + "/history/verify", _NEW_CANDIDATE),
        "GetExportJson": ("get", CANDIDATE + "/export.json", _NEW_CANDIDATE),
        "GetExportPdf": ("get", CANDIDATE + "/export.pdf", _NEW_CANDIDATE),
        "EditProfile": ("patch", CANDIDATE, _NEW_CANDIDATE),  # R28
        # no link to POST .../specialties: repeating it is 409 (the specialty is current
        # then), so a replayed scenario would not reach what it reached the first time
        "ListInvitations": ("get", CANDIDATE + "/invitations", _NEW_CANDIDATE),
    },
    ("post", CANDIDATE + "/invitations", "201"): {
        "AcceptInvitation": (
            "post",
            "/v1/invitations/{token}/accept",
            {"token": "$response.body#/token"},
        ),
        "RevokeInvitation": (
            "delete",
            CANDIDATE + "/invitations/{invitation_id}",
            {"cid": "$request.path.cid", "invitation_id": "$response.body#/invitation_id"},
        ),
    },
    ("post", "/v1/invitations/{token}/accept", "200"): {
        "GetCandidate": ("get", CANDIDATE, _NEW_CANDIDATE),
        "GetProgress": ("get", CANDIDATE + "/progress", _NEW_CANDIDATE),
        "RevokeRole": (
            "delete",
            CANDIDATE + "/roles/{role}/{sub}",
            {"cid": "$response.body#/candidate_id", "role": "$response.body#/role"},
        ),
    },
    ("post", CANDIDATE + "/plans", "201"): {
        "GetCandidate": ("get", CANDIDATE, _SAME_CANDIDATE),
        "ArchivePlan": (
            "post",
            CANDIDATE + "/plans/{plan_code}/archive",
            {"cid": "$request.path.cid", "plan_code": "$response.body#/plan_code"},
        ),
        "RemovePlan": (
            "delete",
            CANDIDATE + "/plans/{plan_code}",
            {"cid": "$request.path.cid", "plan_code": "$response.body#/plan_code"},
        ),
        "GetFirstGoal": ("get", GOAL, _FIRST_GOAL),
        "RegisterActivity": ("post", GOAL + "/activities", _FIRST_GOAL),
        "CommentGoal": ("post", GOAL + "/comments", _FIRST_GOAL),
        "SendGoalForApproval": ("post", GOAL + "/send-for-approval", _FIRST_GOAL),
        "ApproveGoal": ("post", GOAL + "/approve", _FIRST_GOAL),
        "RejectGoal": ("post", GOAL + "/reject", _FIRST_GOAL),
        "RecallGoal": ("post", GOAL + "/recall", _FIRST_GOAL),  # R29
        "WithdrawApproval": ("post", GOAL + "/withdraw-approval", _FIRST_GOAL),
    },
    ("post", GOAL + "/activities", "201"): {
        "GetGoal": ("get", GOAL, {"cid": "$request.path.cid", "code": "$request.path.code"}),
        "SendActivityForSigning": ("post", ACTIVITY + "/send-for-signing", _NEW_ACTIVITY),
        "SignActivity": ("post", ACTIVITY + "/sign", _NEW_ACTIVITY),
        "RejectActivity": ("post", ACTIVITY + "/reject", _NEW_ACTIVITY),
        "EditActivity": ("patch", ACTIVITY, _NEW_ACTIVITY),  # R29
        "WithdrawActivity": ("post", ACTIVITY + "/withdraw", _NEW_ACTIVITY),
    },
    ("post", GOAL + "/comments", "201"): {
        "GetGoal": ("get", GOAL, {"cid": "$request.path.cid", "code": "$request.path.code"}),
    },
    ("post", CANDIDATE + "/meetings", "201"): {
        "GetMeeting": ("get", MEETING, _NEW_MEETING),
        "WritePreparation": ("put", MEETING + "/preparation", _NEW_MEETING),
        "ReviseSummary": ("put", MEETING + "/summary", _NEW_MEETING),
        "FinaliseMeeting": ("post", MEETING + "/finalise", _NEW_MEETING),
        "CancelMeeting": ("post", MEETING + "/cancel", _NEW_MEETING),  # R25
        "ListMeetings": ("get", CANDIDATE + "/meetings", _SAME_CANDIDATE),
    },
    ("post", CANDIDATE + "/attachments", "201"): {
        "GetCandidate": ("get", CANDIDATE, _SAME_CANDIDATE),
        "DownloadAttachment": (  # R27
            "get",
            CANDIDATE + "/attachments/{attachment_id}",
            {"cid": "$request.path.cid", "attachment_id": "$response.body#/attachment_id"},
        ),
    },
    ("post", CANDIDATE + "/specialties", "201"): {  # R28
        "GetCandidate": ("get", CANDIDATE, _SAME_CANDIDATE),
        "GetProgress": ("get", CANDIDATE + "/progress", _SAME_CANDIDATE),
    },
    ("post", CANDIDATE + "/concerns", "201"): {  # R26
        "ResolveConcern": (
            "post",
            CANDIDATE + "/concerns/{concern_id}/resolve",
            {"cid": "$request.path.cid", "concern_id": "$response.body#/concern_id"},
        ),
        "ListConcerns": ("get", CANDIDATE + "/concerns", _SAME_CANDIDATE),
    },
    ("post", "/v1/sync/approvals", "200"): {
        "GetCandidate": ("get", CANDIDATE, _NEW_CANDIDATE),
    },
}


def document_contract(app: FastAPI, application: Callable[[], Any]) -> None:
    """Refine `app.openapi()` once it is built. The specialties and plan codes are those
    of the catalogue `application()` was built with (the domain refuses any other)."""
    previous = app.openapi
    refined: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = previous()
        if not any(done is schema for done in refined):
            refine(schema, catalogue_enums(application()))
            refined.append(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def catalogue_enums(application: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """`RegisterCandidate.specialty` and `AssignPlan.plan_code`: the catalogue's values."""
    enums: dict[tuple[str, str], dict[str, Any]] = {}
    specialties: Sequence[str] | None = getattr(application, "specialties", None)
    if specialties:
        enums[("RegisterCandidate", "specialty")] = {"enum": list(specialties)}
        enums[("ChangeSpecialty", "specialty")] = {"enum": list(specialties)}  # R28
    catalogue = getattr(application, "catalogue", None)
    if catalogue is not None:
        enums[("AssignPlan", "plan_code")] = {"enum": list(catalogue.plan_codes)}
    return enums


def refine(schema: dict[str, Any], enums: dict[tuple[str, str], dict[str, Any]]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    for (component, name), keywords in {**PROPERTIES, **enums}.items():
        properties = components.get(component, {}).get("properties", {})
        if name in properties:
            _constrain(properties[name], keywords)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _refine_operation(method, path, operation)


def _constrain(prop: dict[str, Any], keywords: dict[str, Any]) -> None:
    """Add the keywords to a property's schema, or to its non-null branch (`X | None`)."""
    branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
    target = branches[0] if len(branches) == 1 else prop
    target.update(keywords)
    for keyword in ("enum",):  # an enum makes min/max lengths and examples redundant
        if keyword in keywords:
            for redundant in ("minLength", "maxLength", "examples"):
                target.pop(redundant, None)


def _refine_operation(method: str, path: str, operation: dict[str, Any]) -> None:
    names = {p.get("name") for p in operation.get("parameters", [])}
    command = "If-Match" in names
    query = "X-Min-Position" in names
    for parameter in operation.get("parameters", []):
        keywords = PARAMETERS.get((method, path, parameter.get("name")))
        if parameter.get("name") == "X-Min-Position":
            parameter["schema"] = dict(POSITION)
        elif keywords:
            _constrain(parameter.setdefault("schema", {}), keywords)
    for status, response in operation.get("responses", {}).items():
        headers = response.setdefault("headers", {})
        success = status.startswith("2")
        if command and success:
            headers["X-Event-Position"] = {**HEADERS["X-Event-Position"], "required": True}
            headers["ETag"] = HEADERS["ETag"]
            headers["Idempotent-Replayed"] = HEADERS["Idempotent-Replayed"]
        if query:
            headers["X-Projection-Position"] = {
                **HEADERS["X-Projection-Position"],
                "required": success,
            }
            if success:
                headers["ETag"] = HEADERS["ETag"]
        if status == "503":
            headers["Retry-After"] = {**HEADERS["Retry-After"], "required": True}
        if not headers:
            del response["headers"]
        links = LINKS.get((method, path, status))
        if links:
            response["links"] = {
                name: {"operationRef": _ref(target_method, target_path), "parameters": params}
                for name, (target_method, target_path, params) in links.items()
            }


def _ref(method: str, path: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"
