"""All command routes of API.md (POST/PUT/DELETE), one router per resource (ADR 0009).

Every route is: parse the body, one application call through `CommandDep`, answer
with the outcome. Authorization and rules are the domain's; refusals are mapped
in `api.errors`. JSON bodies are parsed and checked once by `api.bodies.JsonBodyRoute`.
Uploads are a separate router because their body limit differs.
"""

from __future__ import annotations

from api.bodies import JSON_BODY_LIMIT
from api.routes import (
    attachments,
    candidates,
    corrections,
    goals,
    meetings,
    mentors,
    profile,
    sync,
    versions,
)

routers = [
    module.router
    for module in (candidates, goals, corrections, meetings, mentors, sync, profile, versions)
]

upload_router = attachments.router

__all__ = ["JSON_BODY_LIMIT", "routers", "upload_router"]
