"""All command routes of API.md (POST/PUT/DELETE), one router per resource (ADR 0009).

Every route is: parse the body, one application call through `CommandDep`, answer
with the outcome. Authorization and rules are the domain's; refusals are mapped
in `api.errors`. Uploads are a separate router because their body limit differs.
"""

from __future__ import annotations

from api.routes import attachments, candidates, goals, meetings, sync

JSON_BODY_LIMIT = 1024 * 1024

routers = [module.router for module in (candidates, goals, meetings, sync)]

upload_router = attachments.router

__all__ = ["JSON_BODY_LIMIT", "routers", "upload_router"]
