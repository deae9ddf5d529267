"""Norwegian (bokmål) words for the domain's states and kinds, dates and numbers in
Norwegian form (babel), and the domain's refusals as messages people understand.

Words only: which state a goal is in, and what may be done, is the domain's to say.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
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
from kompetanse_domain.model.vocabulary import MeetingState

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


# -- what the pages' forms and flash messages say (the route modules carry no text) --------

TYPE_IN = "Skriv inn {lower}"
NOT_A_DAY = "{label} må være en dato, for eksempel 17.3.2026"
NOT_A_NUMBER = "{label} må være et helt tall"
NOT_IN_FUTURE = "{label} kan ikke være fram i tid"
BETWEEN_ONE_AND = "{label} må være mellom 1 og {most}"
CHOOSE_ROLE = "Velg hvilken rolle personen skal ha"
CHOOSE_SIGNER = "Velg hvem som skal signere"
CHOOSE_PLAN = "Velg en plan"
CHOOSE_SPECIALTY = "Velg spesialiteten"
FILE_TOO_LARGE = "Filen er for stor; den kan være på høyst {limit:.0f} MB"
FILE_KIND = "Filen må være en PDF, PNG eller JPEG"

INVITED = (
    "{name} er invitert som {role}. Send denne lenken til personen (den vises bare nå): {link}"
)
ACCEPTED = "Du er nå {role} for kandidaten."
PROFILE_SAVED = "Profilen er lagret."
VIEWS_BEHIND = (
    "Endringen er lagret, men oversiktene er ikke oppdatert ennå. "
    "Last siden på nytt om litt for å se den."
)
SPECIALTY_CHANGED = "Den nye spesialiteten er registrert."
INVITATION_REVOKED = "Invitasjonen er trukket tilbake; lenken virker ikke lenger."
INVITATION_STATES = {
    "pending": "Venter på svar",
    "accepted": "Godtatt",
    "revoked": "Trukket tilbake",
    "expired": "Utløpt",
}

MEETING_STATES = {
    MeetingState.OPEN.value: "Planlagt",
    MeetingState.FINALISED.value: "Gjennomført",
    MeetingState.CANCELLED.value: "Avlyst",
}
MEETING_LABELS = {
    "scheduled_for": "Dato for møtet",
    "planned_minutes": "Planlagt varighet i minutter",
    "held_on": "Dato møtet ble holdt",
    "duration_minutes": "Varighet i minutter",
}
MEETING_TITLE = "Veiledningsmøte {when}"
COMMENT_WORD = "kommentar"
SUMMARY_WORD = "referatet"
PREPARATION_WORD = "forberedelsen"
SUMMARY_MISSING = (
    "Møtet har ikke referat ennå. Skriv referatet og lagre det, og avslutt deretter møtet. "
    "(Regel R25.)"
)
SUMMARY_SAVED = "Referatet er lagret."
PREPARATION_SAVED = "Forberedelsen er lagret."
MEETING_FINALISED = "Møtet er avsluttet og kan ikke endres lenger."
MEETING_CANCELLED = "Møtet er avlyst. Det vises fortsatt, med begrunnelsen."
MEETING_SCHEDULED = "Møtet er planlagt. Skriv forberedelsen og referatet her."

CONCERN_STATES = {"open": "Åpen", "resolved": "Lukket"}
CONCERN_WORD = "bekymringen"
CONCERN_RAISED = (
    "Bekymringen er sendt. Lederen og eventuelle stedfortredere ser den nå på sine sider."
)
CONCERN_RESOLVED = "Bekymringen er lukket, med merknaden din."

ACTIVITY_EDITED = "Aktiviteten er endret."
ACTIVITY_WITHDRAWN = "Aktiviteten er trukket. Den står igjen, merket som trukket."
GOAL_RECALLED = "Målet er hentet tilbake fra godkjenning."
APPROVAL_WITHDRAWN = "Godkjenningen er trukket; målet er ikke startet igjen."


# -- pages that only say something (web.pages.message) -----------------------------------


@dataclass(frozen=True)
class Message:
    """A page that only says something: its title, its text and a link onwards (else a
    link to the front page)."""

    title: str
    text: str
    link: tuple[str, str] | None = None


AGAIN = ("/logg-inn", "Logg inn igjen")
CSRF_REFUSED = Message(
    "Skjemaet er utløpt",
    "Skjemaet kom uten gyldig sikkerhetsnøkkel. Gå tilbake, last siden på nytt og send "
    "skjemaet igjen.",
)
REFUSED = "Det gikk ikke"  # the title above the domain's refusal (`refusal`)
FAILED = Message(
    "Noe gikk galt",
    "Noe gikk galt hos oss, og ingenting ble lagret av det siste du sendte. Prøv igjen om litt.",
)
NOT_FOUND = Message(
    "Fant ikke siden",
    "Siden finnes ikke, eller du har ikke tilgang til den. Sjekk adressen, eller gå til forsiden.",
)
SIGN_IN_FAILED = Message(
    "Innloggingen mislyktes",
    "{reason} Du er ikke logget inn. Prøv å logge inn på nytt; hvis det skjer igjen, lukk "
    "nettleseren og start på nytt.",
    ("/logg-inn", "Logg inn på nytt"),
)
SIGN_IN_UNAVAILABLE = Message(
    "Innloggingen er ikke tilgjengelig",
    "Vi får ikke kontakt med ID-leverandøren akkurat nå. Prøv igjen om litt.",
    ("/logg-inn", "Prøv igjen"),
)
SIGNED_OUT_HERE_ONLY = Message(  # the link: the identity provider's sign-out address
    "Du er logget ut",
    "Du er logget ut av Kompetanse, men fortsatt logget inn hos ID-leverandøren. "
    "Logg ut der også hvis du bruker en delt maskin.",
)
SIGN_OUT_THERE = "Logg ut hos ID-leverandøren"
SIGNED_OUT = Message(
    "Du er logget ut",
    "Du er logget ut. Lukk nettleseren hvis du bruker en delt maskin.",
    AGAIN,
)
EXPIRED = Message(
    "Økten er utløpt",
    "Du har vært borte en stund, så vi logget deg ut for å beskytte opplysningene. "
    "Logg inn igjen for å fortsette.",
    AGAIN,
)
SIGN_IN_TITLE = "Logg inn"
HOME_TITLE = "Forside"
# dev mode's sign-in page: (sub, name, platform roles, what they do)
AUDITOR = ("demo-revisor", "Demo Revisor", ("auditor",), "revisor (tilsyn)")
# offered when the app is given no demo world's people (`install(demo_users=...)`)
DEMO_USERS = (
    ("demo-lis", "Demo LIS", (), "LIS-lege (kandidat)"),
    ("demo-leder", "Demo Leder", (), "leder"),
    ("demo-veileder", "Demo Veileder", (), "veileder"),
    ("demo-supervisor", "Demo Supervisør", (), "supervisør"),
    AUDITOR,
)
TYPE_IN_SUB = "Skriv inn brukeridenten (sub)"
TYPE_IN_NAME = "Skriv inn navnet"
BAD_SUB_OR_NAME = "Brukeridenten eller navnet har tegn som ikke kan brukes"


# -- page titles ---------------------------------------------------------------------------

REGISTER_TITLE = "Registrer deg som kandidat"
INVITATION_TITLE = "Invitasjon"
PROFILE_TITLE = "Profil for {name}"
INVITATIONS_TITLE = "Invitasjoner for {name}"
VEILEDER_TITLE = "Mine kandidater som veileder"
GUIDANCE_TITLE = "Veiledning av {name}"
CONCERNS_TITLE = "Bekymringer for {name}"
SIGNING_TITLE = "Til signering"
GOAL_APPROVED = "{code} er godkjent."
GOAL_REJECTED = "{code} er avvist, og kandidaten ser begrunnelsen."
PLAN_ARCHIVED = "Planen {plan} er arkivert."
LEADER_TITLE = "Mine kandidater"
APPROVALS_TITLE = "Til godkjenning"
MY_PLANS_TITLE = "Mine planer"
PLANS_TITLE = "Planer for {name}"
GOALS_TITLE = "Læringsmål for {name}"
APPROVAL_TITLE = "Godkjenning av {code} for {name}"
MEETINGS_TITLE = "Veiledningsmøter for {name}"
STATE_TITLE = "Tilstand på en valgt dato"
SEARCH_TITLE = "Finn kandidat"
HISTORY_TITLE = "Historikk"
NOTIFICATIONS_TITLE = "Varsler"
DAY_NOT_AFTER_TODAY = "Datoen kan ikke være fram i tid; velg i dag eller før"
NOTIFICATION_KINDS = {
    "invitation": "Invitasjon",
    "signing_requested": "Til signering",
    "activity_signed": "Aktivitet signert",
    "activity_rejected": "Aktivitet avvist",
    "approval_requested": "Til godkjenning",
    "goal_approved": "Mål godkjent",
    "goal_rejected": "Mål avvist",
    "approval_withdrawn": "Godkjenning trukket",
    "meeting_scheduled": "Veiledningsmøte",
    "concern_raised": "Bekymring",
    "reminder": "Påminnelse",
}
