"""Text and time values every command takes: what the write side accepts, the read
side can always project and show (issue 22, ADR 0020).

Every way in (HTTP, CLI, sync, tokens) reaches the domain, and the domain checks each
free-text value and each date once, here, before any event is recorded:

- text is Unicode NFC, valid (no lone surrogates), without control characters (C0, C1,
  DEL; newline and tab are allowed in multi-line text, CR LF becomes LF), without the
  bidirectional embeddings, overrides and isolates that reorder what a reader sees,
  and with at least one visible character; each field has a length limit (below);
- dates lie within 1900-01-01..2200-12-31, and instants too once converted to UTC,
  which happens here, once: the read side never meets an instant it cannot convert.

A refusal is an `InvalidValueError` that names the field and says what to do; it never
repeats the value (messages reach logs).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, tzinfo

from kompetanse_domain.errors import InvalidInputError
from kompetanse_domain.model.identity import EMAIL_PATTERN

# -- length limits per field (characters, after normalisation) ---------------------------

NAME_LIMIT = 500
"""A person's name, an activity title, an approver's name (view columns hold 500)."""
EMAIL_LIMIT = 320
ORGANISATION_ID_LIMIT = 100
SUB_LIMIT = 255
"""An identity's `sub` (view columns hold 255)."""
CODE_LIMIT = 60
"""An activity code (view columns hold 64)."""
SOURCE_LIMIT = 200
"""The other portal's name and event id (R23)."""
FILENAME_LIMIT = 255
REASON_LIMIT = 4000
"""A rejection reason, a comment, a note."""
PLAN_REMOVAL_REASON_LIMIT = 2000
DOCUMENT_LIMIT = 50_000
"""A meeting preparation or summary."""

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)
EARLIEST_INSTANT = datetime.combine(EARLIEST_DAY, time.min, tzinfo=UTC)
LATEST_INSTANT = datetime.combine(LATEST_DAY, time.max, tzinfo=UTC)

ASCII_BLANKS = " \t\n\r"
"""Blanks a form or a client may leave around a value: stripped before the checks (any
other control character is refused, even at the ends)."""

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they
reorder the text a reader sees ("Trojan Source"); the plain marks LRM/RLM are allowed."""

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})
_INVISIBLE_EXTRA = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
)
"""Default-ignorable or blank letters that categories alone do not catch (fillers,
the blank braille pattern, variation selectors)."""


class InvalidValueError(InvalidInputError):
    """Raised when a text or date value cannot be recorded as given; names the field."""

    title = "Invalid value"

    def __init__(self, field: str, problem: str, *, rule: str = "") -> None:
        super().__init__(f"{rule}: {field} {problem}" if rule else f"{field} {problem}")
        self.field = field
        self.problem = problem


class InvisibleTextError(InvalidValueError):
    """Raised when a required text is empty or shows nothing (only blanks, zero-width
    or other invisible characters)."""


# -- text ---------------------------------------------------------------------------------


def line(value: str, field: str, *, limit: int, rule: str = "") -> str:
    """Required one-line text (a name, a title): normalised and stripped."""
    return _required(_clean(value, field, limit=limit, multiline=False), field, rule)


def paragraphs(value: str, field: str, *, limit: int, rule: str = "") -> str:
    """Required text that may run over several lines (a reason, a comment)."""
    return _required(_clean(value, field, limit=limit, multiline=True), field, rule)


def optional_line(value: str | None, field: str, *, limit: int) -> str | None:
    """Optional one-line text: None when absent or blank."""
    return _optional_text(value, field, limit=limit, multiline=False)


def optional_paragraphs(value: str | None, field: str, *, limit: int) -> str | None:
    """An optional comment or note: None when absent or blank."""
    return _optional_text(value, field, limit=limit, multiline=True)


def _required(text: str, field: str, rule: str) -> str:
    if not _visible(text):
        raise InvisibleTextError(field, "must not be empty or invisible; write it out", rule=rule)
    return text


def _optional_text(value: str | None, field: str, *, limit: int, multiline: bool) -> str | None:
    if value is None:
        return None
    return _optional(_clean(value, field, limit=limit, multiline=multiline), field)


def document(value: str, field: str, *, limit: int = DOCUMENT_LIMIT) -> str:
    """A text that may be emptied (a meeting preparation or summary); kept as written
    apart from normalisation, and "" when it holds only whitespace."""
    text = _clean(value, field, limit=limit, multiline=True, strip=False)
    if not text.strip():
        return ""
    if not _visible(text):
        raise InvisibleTextError(
            field, "holds only invisible characters; write it out, or send it empty"
        )
    return text


def identifier(value: str, field: str, *, limit: int = SUB_LIMIT) -> str:
    """An opaque identifier from outside (a token's `sub`, an event id): never changed,
    only refused when it could not be stored or shown safely."""
    if not isinstance(value, str):
        raise InvalidValueError(field, "must be text")
    _check_characters(value, field, multiline=False)
    if len(value) > limit:
        raise InvalidValueError(field, f"is longer than {limit} characters; shorten it")
    if not _visible(value):
        raise InvisibleTextError(field, "must not be empty or invisible")
    return value


def email(value: str, field: str, *, rule: str = "") -> str:
    """An e-mail address: one line, at most EMAIL_LIMIT characters, `local@domain.tld`."""
    text = line(value, field, limit=EMAIL_LIMIT, rule=rule)
    if not EMAIL_PATTERN.match(text):
        raise InvalidValueError(
            field, "is not an e-mail address; give one like name@example.no", rule=rule
        )
    return text


def check_person(sub: str, name: str) -> None:
    """The acting person's `sub` and name, which every event records as they are: the
    name must be in the form `line` gives it (the token's claims are read so)."""
    identifier(sub, "token.sub", limit=SUB_LIMIT)
    if line(name, "token.name", limit=NAME_LIMIT) != name:
        raise InvalidValueError(
            "token.name", "must be NFC-normalised, without blanks at its ends; normalise it"
        )


def _optional(text: str, field: str) -> str | None:
    if not text:
        return None
    if not _visible(text):
        raise InvisibleTextError(field, "holds only invisible characters; write it out, or omit it")
    return text


def _clean(value: str, field: str, *, limit: int, multiline: bool, strip: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(field, "must be text")
    if len(value) > 4 * limit + 16:  # refuse the absurd before normalising it
        raise InvalidValueError(field, f"is longer than {limit} characters; shorten it")
    _check_surrogates(value, field)
    text = unicodedata.normalize("NFC", value.strip(ASCII_BLANKS) if strip else value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_characters(text, field, multiline=multiline)  # before stripping: \x1c-\x1f, \x85
    if strip and text != (stripped := text.strip()):  # and other Unicode blanks
        text = unicodedata.normalize("NFC", stripped)
    if len(text) > limit:
        raise InvalidValueError(field, f"is longer than {limit} characters; shorten it")
    return text


def _check_surrogates(text: str, field: str) -> None:
    for index, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            raise InvalidValueError(
                field,
                f"holds a lone surrogate (U+{ord(char):04X}) at character {index + 1}, "
                "which is not valid Unicode; send the text as UTF-8",
            )


def _check_characters(text: str, field: str, *, multiline: bool) -> None:
    if text.isprintable():
        return  # the usual case (controls, bidi controls, surrogates are not printable)
    _check_surrogates(text, field)
    for index, char in enumerate(text):
        if char in BIDI_CONTROLS:
            raise InvalidValueError(
                field,
                f"holds a bidirectional control character (U+{ord(char):04X}) at character "
                f"{index + 1}, which reorders what readers see; remove it",
            )
        category = unicodedata.category(char)
        if multiline and char in "\n\t":
            continue
        if category == "Cc" or category in ("Zl", "Zp"):
            allowed = " (newline and tab are allowed here)" if multiline else ""
            raise InvalidValueError(
                field,
                f"holds a control character (U+{ord(char):04X}) at character {index + 1}; "
                f"remove it{allowed}",
            )


def _visible(text: str) -> bool:
    """True when at least one character shows something."""
    return any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        and char not in _INVISIBLE_EXTRA
        and not "\ufe00" <= char <= "\ufe0f"
        and not "\U000e0000" <= char <= "\U000e0fff"
        for char in text
    )


# -- dates and instants -------------------------------------------------------------------


def day(value: date, field: str) -> date:
    """A calendar date within EARLIEST_DAY..LATEST_DAY."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValueError(field, "must be a date such as 2026-03-01")
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise InvalidValueError(field, _range_hint(value.isoformat()))
    return value


def instant(value: datetime, field: str) -> datetime:
    """An instant with its offset, converted to UTC once, within the same range."""
    if not isinstance(value, datetime):
        raise InvalidValueError(field, "must be an instant such as 2026-03-01T12:00:00+01:00")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValueError(field, "needs an offset (Z or +01:00), as RFC 3339 requires")
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidValueError(field, _range_hint("this instant")) from None
    if not EARLIEST_INSTANT <= utc <= LATEST_INSTANT:
        raise InvalidValueError(field, _range_hint(utc.isoformat()))
    return utc


def day_or_instant(value: date | datetime, field: str) -> date | datetime:
    """A date as it is, or an instant converted to UTC (a meeting's `scheduled_for`)."""
    if isinstance(value, datetime):
        return instant(value, field)
    return day(value, field)


def in_zone(value: datetime, zone: tzinfo = UTC) -> datetime:
    """`value.astimezone(zone)` that never fails: an instant recorded before the range
    above was checked (year 1 or 9999 with an offset) may lie beyond what `datetime`
    holds in `zone`; it comes back as the nearest instant that can be held there, so a
    view or an export shows it rather than stopping (the event keeps the value)."""
    try:
        return value.astimezone(zone)
    except OverflowError:
        edge = datetime.min if value.year < 5000 else datetime.max
        return edge.replace(tzinfo=zone)


def _range_hint(what: str) -> str:
    return (
        f"{what} is outside the years {EARLIEST_DAY.year}-{LATEST_DAY.year}; "
        "give a date within them"
    )
