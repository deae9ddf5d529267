"""Supervision meetings on the pages (R15-R18, R25): the veileder schedules a meeting,
writes and revises the summary, finalises it or cancels it with a reason; the candidate
and the veileder write their preparation. The meeting page shows its state, duration,
preparations and summary.

Each form calls the application method its API route calls (`web.pages.run_command`);
the domain decides what is allowed. A finalise refused because the summary is missing
(R25) is shown beside the summary field, GOV.UK style, with what was typed kept.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.meeting import SummaryMissingError
from kompetanse_domain.model.vocabulary import MeetingState
from projections.queries.port import MeetingSummaryRow, MeetingView
from web import pages, texts
from web.form_pages import posted
from web.routes.candidate import goal_title

router = APIRouter(route_class=pages.WebRoute, include_in_schema=False)
MEETING = "/moter/{mid}"

MEETING_STATES = texts.MEETING_STATES
LABELS = texts.MEETING_LABELS
_MINUTES = re.compile(r"^(\w+) must be between 1 and (\d+) minutes")


def when(scheduled_for: str) -> str:
    """An ISO day or instant as people read it."""
    try:
        if len(scheduled_for) == 10:
            return texts.day(date.fromisoformat(scheduled_for))
        return texts.moment(datetime.fromisoformat(scheduled_for))
    except ValueError:
        return scheduled_for


def about(message: str, word: str) -> str:
    """A "text" field's message about `word` (e.g. "referatet") instead of a comment."""
    comment = texts.COMMENT_WORD  # the shared label of a "text" field (FIELD_LABELS)
    return message.replace(comment.capitalize(), word.capitalize()).replace(comment, word)


def with_words(row: MeetingSummaryRow) -> dict[str, Any]:
    """A meeting row with its day and state in Norwegian."""
    return {
        **row,
        "when": when(row["scheduled_for"]),
        "state_text": MEETING_STATES.get(row["state"], row["state"]),
    }


def add_error(errors: pages.FormErrors, error: DomainError) -> pages.FormErrors:
    """The domain's refusal beside the field it is about, else above the form."""
    minutes = _MINUTES.match(error.message)
    if minutes and minutes.group(1) in LABELS:
        name = minutes.group(1)
        errors.fields[name] = texts.BETWEEN_ONE_AND.format(
            label=LABELS[name], most=minutes.group(2)
        )
        return errors
    future = re.match(r"^(\w+) \d{4}-\d{2}-\d{2} is in the future", error.message)
    if future and future.group(1) in LABELS:
        errors.fields[future.group(1)] = texts.NOT_IN_FUTURE.format(label=LABELS[future.group(1)])
        return errors
    errors.add(error)
    if "text" in errors.fields:  # the summary's or the preparation's text
        word = texts.SUMMARY_WORD if errors.form == "referat" else texts.PREPARATION_WORD
        errors.fields["text"] = about(errors.fields["text"], word)
    return errors


def checked(values: Mapping[str, str], errors: pages.FormErrors, name: str, *, day: bool) -> Any:
    """A date or a whole number from the form; a message beside the field if missing."""
    if day:
        found = pages.parse_day(values, name, errors)
        if name in errors.fields:  # parse_day words it with the shared labels
            text = values.get(name, "").strip()
            errors.fields[name] = (texts.NOT_A_DAY if text else texts.TYPE_IN).format(
                label=LABELS[name], lower=LABELS[name].lower()
            )
        return found
    number = pages.parse_count(values, name, errors)
    if name in errors.fields:
        errors.fields[name] = texts.NOT_A_NUMBER.format(label=LABELS[name])
    elif number is None:
        errors.fields[name] = texts.TYPE_IN.format(lower=LABELS[name].lower())
    return number


# -- the meeting page --------------------------------------------------------------------


def meeting_page(
    request: Request,
    mid: UUID,
    errors: pages.FormErrors | None = None,
    status: int = 200,
    kept: Mapping[str, str] | None = None,
) -> Response:
    """State, duration, preparations and summary; the forms the actor's role offers."""
    pages.signed_in(request)  # before anything is looked up
    services = pages.web_of(request).services
    meeting = services.projections.queries.get_meeting(mid)
    if meeting is None:
        raise NotFoundError(f"Supervision meeting {mid} not found")
    cid = UUID(meeting["candidate_id"])
    # R17: a related person who may not read meetings gets the same 404
    page = pages.candidate_page_of(request, cid, Candidate.check_can_read_meetings)
    actor, candidate = page.actor, page.candidate
    progress = page.queries.get_progress(cid)
    catalogue = services.application.catalogue
    goals = [
        (str(goal["code"]), f"{goal['code']} {goal_title(catalogue, str(goal['code']))}")
        for goal in (progress["goals"] if progress else [])
    ]
    is_veileder = actor.holds(Role.VEILEDER)
    is_candidate = actor.holds(Role.CANDIDATE)
    open_ = meeting["state"] == MeetingState.OPEN.value
    return pages.render(
        request,
        "meeting.html",
        status=status,
        title=texts.MEETING_TITLE.format(when=when(meeting["scheduled_for"])),
        meeting=meeting,
        meeting_when=when(meeting["scheduled_for"]),
        state_text=MEETING_STATES.get(meeting["state"], meeting["state"]),
        cancel_reason=_cancel_reason(meeting),
        candidate=candidate,
        goals=goals,
        goal_names=dict(goals),
        may_write_summary=is_veileder and open_,
        may_prepare=(is_veileder or is_candidate) and open_,
        my_role="veileder" if is_veileder else "candidate",
        is_veileder=is_veileder,
        errors=errors,
        kept=kept or {},
        idem=uuid.uuid4().hex,
        ROLE_WORDS=texts.ROLES,
    )


def _cancel_reason(meeting: MeetingView) -> str | None:
    for change in reversed(meeting["changes"]):
        if change["what"] == "cancelled":
            return str(change["detail"].get("reason", ""))
    return None


@router.get(MEETING)
def show_meeting(request: Request, mid: UUID) -> Response:
    return meeting_page(request, mid)


def _refused(errors: pages.FormErrors, error: DomainError) -> pages.FormErrors:
    """The refusal beside its field; a finalise refused for want of a summary (R25) beside
    the summary field instead, what was typed in the finalise form kept."""
    if isinstance(error, SummaryMissingError):
        return pages.FormErrors(
            "referat", fields={"text": texts.SUMMARY_MISSING}, values={"text": ""}
        )
    return add_error(errors, error)


async def _submit(
    request: Request,
    mid: UUID,
    errors: pages.FormErrors,
    call: Callable[[CommandContext], Outcome],
    said: str,
    kept: Mapping[str, str] | None = None,
) -> Response:
    return await pages.submit_form(
        request,
        errors,
        call,
        lambda refused: meeting_page(request, mid, refused, status=422, kept=kept),
        request.url_for("show_meeting", mid=mid).path,
        said,
        _refused,
    )


async def _meeting_form(
    request: Request, mid: UUID, form: str, command: pages.Command, said: str
) -> Response:
    """A meeting-page form whose fields go to the command as they are."""
    return await pages.command_form(
        request,
        form,
        command,
        pages.again(meeting_page, request, mid),
        request.url_for("show_meeting", mid=mid).path,
        said,
        _refused,
    )


@router.post(MEETING + "/referat")
async def revise_summary(request: Request, mid: UUID) -> Response:
    """R15, R16, R18: the veileder writes or revises the summary and the goals discussed."""
    posted = await request.form()
    goals = [str(code) for code in posted.getlist("goals_discussed") if isinstance(code, str)]

    def revise(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.revise_summary(ctx, mid, text=form.get("text", ""), goals_discussed=goals)

    return await _meeting_form(request, mid, "referat", revise, texts.SUMMARY_SAVED)


@router.post(MEETING + "/forberedelse")
async def write_preparation(request: Request, mid: UUID) -> Response:
    """R15: the candidate or the veileder writes their own preparation."""

    def prepare(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.write_preparation(ctx, mid, text=form.get("text", ""))

    return await _meeting_form(request, mid, "forberedelse", prepare, texts.PREPARATION_SAVED)


@router.post(MEETING + "/avslutt")
async def finalise(request: Request, mid: UUID) -> Response:
    """R17, R25: the veileder finalises the meeting once the summary is written."""
    values, errors, application = await posted(request, "avslutt")
    held_on = checked(values, errors, "held_on", day=True)
    minutes = checked(values, errors, "duration_minutes", day=False)
    return await _submit(
        request,
        mid,
        errors,
        lambda ctx: application.finalise_meeting(
            ctx, mid, held_on=held_on, duration_minutes=minutes
        ),
        texts.MEETING_FINALISED,
        kept={k: v for k, v in values.items() if k in ("held_on", "duration_minutes")},
    )


@router.post(MEETING + "/avlys")
async def cancel(request: Request, mid: UUID) -> Response:
    """R25: the veileder cancels a meeting that will not be held, with a reason."""

    def cancel(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.cancel_meeting(ctx, mid, reason=form.get("reason", ""))

    return await _meeting_form(request, mid, "avlys", cancel, texts.MEETING_CANCELLED)


# -- scheduling, from the veileder's page of a candidate ------------------------------------


@router.post("/veileder/kandidater/{cid}/moter")
async def schedule(request: Request, cid: UUID) -> Response:
    """R15: the veileder plans a supervision meeting."""
    from web.routes.veileder import candidate_page  # the page the form is on

    values, errors, application = await posted(request, "planlegg")
    scheduled_for = checked(values, errors, "scheduled_for", day=True)
    minutes = checked(values, errors, "planned_minutes", day=False)
    return await pages.submit_form(
        request,
        errors,
        lambda ctx: application.create_meeting(
            ctx, cid, scheduled_for=scheduled_for, planned_minutes=minutes
        ),
        pages.again(candidate_page, request, cid),
        lambda outcome: request.url_for("show_meeting", mid=outcome.value["meeting_id"]).path,
        texts.MEETING_SCHEDULED,
        add_error,
    )
