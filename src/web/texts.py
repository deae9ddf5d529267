"""Norwegian (bokmål) words for the domain's states and kinds, dates and numbers in
Norwegian form (babel), and the domain's refusals as messages people understand.

Words only: which state a goal is in, and what may be done, is the domain's to say.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from kompetanse_domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
    VersionMismatchError,
)
from kompetanse_domain.model.values import InvalidValueError, InvisibleTextError

LOCALE = Locale.parse("nb_NO")  # parsed once: babel parses a name again on every call
OSLO = ZoneInfo("Europe/Oslo")

GOAL_STATES = {
    "not_started": "Ikke startet",
    "sent_for_approval": "Sendt til godkjenning",
    "approved": "Godkjent",
    "rejected": "Avvist",
}
ACTIVITY_STATES = {
    "registered": "Registrert",
    "sent_for_signing": "Sendt til signering",
    "signed": "Signert",
    "rejected": "Avvist",
    "withdrawn": "Trukket",
}
ACTIVITY_KINDS = {
    "course": "Kurs",
    "procedure": "Prosedyre",
    "e_learning": "E-læring",
    "group_supervision": "Gruppeveiledning",
    "internal_teaching": "Internundervisning",
    "other": "Annet",
}
PLAN_STATES = {"active": "Aktiv", "archived": "Arkivert", "removed": "Fjernet"}
ROLES = {
    "candidate": "kandidat",
    "leader": "leder",
    "deputy": "stedfortreder",
    "veileder": "veileder",
    "supervisor": "supervisør",
}

EVENTS = {  # the last part of an event's type
    "Registered": "Registrert som kandidat",
    "InvitationIssued": "Invitasjon sendt",
    "InvitationAccepted": "Invitasjon godtatt",
    "InvitationRevoked": "Invitasjon trukket tilbake",
    "RoleRevoked": "Rolle fjernet",
    "PlanAssigned": "Plan tildelt",
    "PlanArchived": "Plan arkivert",
    "PlanRemoved": "Plan fjernet",
    "AttachmentUploaded": "Dokumentasjon lastet opp",
    "Opened": "Læringsmål åpnet",
    "ActivityRegistered": "Aktivitet registrert",
    "ActivitySentForSigning": "Aktivitet sendt til signering",
    "ActivitySigned": "Aktivitet signert",
    "ActivityRejected": "Aktivitet avvist",
    "MentorCommented": "Kommentar fra veileder",
    "SentForApproval": "Læringsmål sendt til godkjenning",
    "Approved": "Læringsmål godkjent",
    "Rejected": "Læringsmål avvist",
    "Reopened": "Læringsmål åpnet igjen",
    "Withdrawn": "Trukket tilbake",
    "ApprovalImported": "Godkjenning hentet fra en annen portal",
    "Created": "Veiledningsmøte opprettet",
    "PreparationWritten": "Forberedelse skrevet",
    "SummaryRevised": "Referat endret",
    "Finalised": "Veiledningsmøte avsluttet",
}


def event_name(kind: str) -> str:
    """`Candidate.Registered` -> "Registrert som kandidat" (the type itself if unknown)."""
    return EVENTS.get(kind.rsplit(".", 1)[-1], kind)


FIELD_LABELS = {
    "title": "Tittel",
    "dato": "Dato",
    "kind": "Type aktivitet",
    "fulfilled_on": "Dato gjennomført",
    "activity_code": "Prosedyrekode",
    "count": "Antall",
    "note": "Merknad",
    "signer_sub": "Hvem skal signere",
    "completed_on": "Dato målet ble nådd",
    "comment": "Kommentar",
    "reason": "Begrunnelse",
    "sub": "Brukerident (sub)",
    "name": "Navn",
    "certificate": "Dokumentasjon (kursbevis)",
    "email": "E-post",
    "specialty": "Spesialitet",
    "organisation_id": "Arbeidsgiverens id",
    "organisation_name": "Arbeidsgiverens navn",
    "hpr_number": "HPR-nummer",
    "from": "Fra dato",
    "until": "Til og med dato",
    "role": "Rolle",
    "plan_code": "Plan",
    "q": "Navn",
    "text": "Kommentar",
}

FAMILY_MESSAGES: tuple[tuple[type[DomainError], str], ...] = (
    (
        NotFoundError,
        "Vi fant ikke det du ba om, eller du har ikke tilgang til det. Gå tilbake og velg på nytt.",
    ),
    (
        ForbiddenError,
        "Rollen din gir ikke lov til dette. Be den som har rollen om å gjøre det.",
    ),
    (
        ConflictError,
        "Dette kan ikke gjøres slik saken står nå (noen kan ha endret den). "
        "Last siden på nytt og se hva som gjelder.",
    ),
    (
        VersionMismatchError,
        "Noen endret dette samtidig med deg. Last siden på nytt og prøv igjen.",
    ),
    (
        UnavailableError,
        "Tjenesten er midlertidig utilgjengelig. Vent litt og prøv igjen.",
    ),
    (
        InvalidInputError,
        "Noe av det du skrev kan ikke lagres slik det står. Rett det og send på nytt.",
    ),
)

SEARCH_PROBLEMS = (
    ("hpr_number must be", "hpr_number", "HPR-nummeret må være 4 til 9 sifre"),
    ("q must hold", "q", "Skriv minst 2 tegn av navnet"),
    ("give hpr_number", "q", "Skriv en del av navnet, eller et HPR-nummer"),
)

_RULE = re.compile(r"^(R\d{1,2})\b")
_FUTURE = re.compile(r"^(\w+) \d{4}-\d{2}-\d{2} is in the future")


def refusal(error: DomainError) -> str:
    """The domain's refusal in Norwegian: what went wrong and what to do, with the rule."""
    message = next(
        (text for family, text in FAMILY_MESSAGES if isinstance(error, family)),
        "Handlingen ble avvist. Prøv igjen, eller kontakt brukerstøtte.",
    )
    rule = _RULE.match(error.message)
    return f"{message} (Regel {rule.group(1)}.)" if rule else message


def field_error(error: DomainError) -> tuple[str, str] | None:
    """(form field, Norwegian message) when the refusal is about one field of the form."""
    if isinstance(error, InvalidValueError):
        label = FIELD_LABELS.get(error.field, error.field)
        if isinstance(error, InvisibleTextError):
            return error.field, f"Skriv inn {label.lower()}"
        if "outside the years" in error.problem:
            return error.field, f"{label} må være en dato mellom år 1900 og 2200"
        if "longer than" in error.problem:
            return error.field, f"{label} er for lang; gjør den kortere"
        return error.field, f"{label} kan ikke lagres slik den står; rett den og send på nytt"
    for start, name, text in SEARCH_PROBLEMS:
        if error.message.startswith(start):
            return name, text
    future = _FUTURE.match(error.message)
    if future and future.group(1) in FIELD_LABELS:
        name = future.group(1)
        return name, f"{FIELD_LABELS[name]} kan ikke være fram i tid"
    return None


# -- dates and numbers (babel) -------------------------------------------------------------


# Pure functions of their value, asked for the same values over and over (a row's counts,
# the days of a plan): cached, as babel's formatting costs 40-90 us a call (docs/benchmarks.md).


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return _day(value)


@functools.lru_cache(maxsize=4096)
def _day(value: date) -> str:
    return format_date(value, format="long", locale=LOCALE)


@functools.lru_cache(maxsize=4096)
def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "d. MMMM y 'kl.' HH:mm", tzinfo=OSLO, locale=LOCALE)


def number(value: int | float | None) -> str:
    if value is None:
        return ""
    if type(value) is int:
        return _whole(value)
    return format_decimal(value, locale=LOCALE)


@functools.lru_cache(maxsize=4096)
def _whole(value: int) -> str:
    return format_decimal(value, locale=LOCALE)


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
