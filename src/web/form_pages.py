"""A page about one candidate that holds forms, rendered one way everywhere: its title
names the candidate, the refusals of a form sent are shown beside it (422 then), and
each rendering gets a fresh idempotency key (`idem`) so a form sent twice is recorded once.
A form sent from such a page is read one way too (`posted`), before its fields are checked.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from fastapi import Request
from fastapi.responses import HTMLResponse

from kompetanse_domain.application import KompetanseApplication
from web import pages


class Posted(NamedTuple):
    """A POSTed form: its text fields (after the CSRF check), its errors (none yet, under
    the form's id prefix), and the application its command goes to."""

    values: pages.Form
    errors: pages.FormErrors
    application: KompetanseApplication


async def posted(request: Request, form: str) -> Posted:
    values = await pages.form_of(request)
    errors = pages.FormErrors(form, values=values)
    return Posted(values, errors, pages.web_of(request).services.application)


def candidate_form_page(
    request: Request,
    page: pages.CandidatePage,
    template: str,
    title: str,
    errors: pages.FormErrors | None,
    status: int,
    **context: Any,
) -> HTMLResponse:
    """`template` for `page.candidate`, titled `title` with `{name}` the candidate's name."""
    return pages.render(
        request,
        template,
        status=status,
        title=title.format(name=page.candidate["name"]),
        candidate=page.candidate,
        errors=errors,
        idem=uuid.uuid4().hex,
        **context,
    )
