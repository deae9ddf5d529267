"""The leader's report and plan archiving on the pages (issue 25, point 4).

- `GET /leder/rapport.csv`: the same CSV as GET /v1/leaders/me/report.csv (the API's
  `report_lines`), for the signed-in person's candidates, as a download.
- `POST /kandidater/{cid}/planer/{plan_code}/arkiver`: the leader archives a plan whose
  every goal is approved (R5), through the application method the API's route calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from api.routes.leaders import report_lines
from kompetanse_domain.errors import DomainError, NotFoundError
from web import texts
from web.pages import (
    FormErrors,
    WebRoute,
    form_of,
    run_command,
    see_other,
    session_of,
    signed_in,
    web_of,
)
from web.routes.candidate import plans_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/leder/rapport.csv")
def report(request: Request) -> Response:
    identity = signed_in(request)
    rows = web_of(request).services.projections.queries.iter_report_rows(identity.sub)

    def body() -> Iterator[bytes]:
        yield "\ufeff".encode()
        yield from report_lines(rows)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="kompetanse-report.csv"'},
    )


@router.post("/kandidater/{cid}/planer/{plan_code}/arkiver")
async def archive_plan(request: Request, cid: UUID, plan_code: str) -> Response:
    values = await form_of(request)
    errors = FormErrors(f"arkiver-{plan_code}", values=values)
    application = web_of(request).services.application
    try:
        await run_command(
            request, values, lambda ctx: application.archive_plan(ctx, cid, plan_code=plan_code)
        )
    except NotFoundError:
        raise
    except DomainError as error:
        errors.add(error)
        return plans_page(request, cid, errors, status=422)
    session_of(request).show_once(texts.PLAN_ARCHIVED.format(plan=plan_code))
    return see_other(f"/kandidater/{cid}")
