"""Text and date values every command takes (issue 22): refused once, in the domain,
with a message that names the field; what passes can always be stored and shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kompetanse_domain.errors import InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.meeting import SupervisionMeeting
from support.domain import NOW, build_candidate, make_identities

PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))


def refusal(call: object, *args: object, **kwargs: object) -> values.InvalidValueError:
    assert callable(call)
    with pytest.raises(values.InvalidValueError) as raised:
        call(*args, **kwargs)
    return raised.value


# -- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Ola\x00Nordmann", "U+0000"),
        ("Ola \x1b[31mNordmann", "U+001B"),  # a terminal escape sequence
        ("Ola \x9b31mNordmann", "U+009B"),  # C1: the one-byte CSI
        ("Ola\x7f", "U+007F"),
        ("Ola\nNordmann", "U+000A"),  # one-line text has no newline
        ("Ola\tNordmann", "U+0009"),
        ("Ola\u2028Nordmann", "U+2028"),
        ("Ola \u202enamdroN", "U+202E"),  # right-to-left override
        ("Ola \u2066Nordmann\u2069", "U+2066"),  # left-to-right isolate
        ("Ola \ud800", "U+D800"),  # a lone surrogate: not valid Unicode
    ],
)
def test_one_line_text_refuses_control_bidi_and_surrogate_characters(text: str, what: str) -> None:
    error = refusal(values.line, text, "name", limit=values.NAME_LIMIT)
    assert isinstance(error, InvalidInputError)
    assert error.field == "name"
    assert error.message.startswith("name holds ")
    assert f"({what})" in error.message
    assert error.message.endswith(("remove it", "send the text as UTF-8"))
    assert text not in error.message  # the value itself never reaches logs


@pytest.mark.parametrize(
    "text", ["", "   ", "\u200b", "\u200b\u200d\ufeff", "\u3164", "\u2800", " \u00ad ", "\u0301"]
)
def test_blank_or_invisible_only_text_is_refused(text: str) -> None:
    error = refusal(values.line, text, "title", limit=values.NAME_LIMIT, rule="R9")
    assert error.message == "R9: title must not be empty or invisible; write it out"


def test_text_is_stored_nfc_normalised_and_stripped() -> None:
    assert values.line("  Rene\u0301e  ", "name", limit=10) == "Renée"
    assert values.line("Ola\u200dNordmann", "name", limit=40) == "Ola\u200dNordmann"  # ZWJ inside


def test_blanks_around_a_value_are_stripped_but_other_controls_refused_even_at_the_ends() -> None:
    assert values.line(" \tLise Lege\r\n", "name", limit=20) == "Lise Lege"
    assert values.line("\u00a0Lise\u3000", "name", limit=20) == "Lise"
    for text in ("\x1fLise", "Lise\x1c", "Lise\x85", "\x00Lise"):
        refusal(values.line, text, "name", limit=20)


def test_the_acting_identity_must_be_given_in_normal_form() -> None:
    error = refusal(values.check_person, "lis-sub", "Rene\u0301e")
    assert error.message == (
        "token.name must be NFC-normalised, without blanks at its ends; normalise it"
    )
    refusal(values.check_person, "lis-sub", "Lise ")


def test_multi_line_text_keeps_newline_and_tab_and_turns_cr_lf_into_lf() -> None:
    text = values.paragraphs("Punkt 1\r\n\tPunkt 2\rSlutt", "reason", limit=100)
    assert text == "Punkt 1\n\tPunkt 2\nSlutt"
    error = refusal(values.paragraphs, "Punkt\x00", "reason", limit=100)
    assert "(newline and tab are allowed here)" in error.message


def test_each_field_has_a_length_limit_counted_after_normalisation() -> None:
    assert values.line("e\u0301" * 10, "name", limit=10) == "é" * 10
    error = refusal(values.line, "x" * 11, "name", limit=10)
    assert error.message == "name is longer than 10 characters; shorten it"


def test_document_may_be_emptied_but_not_invisible() -> None:
    assert values.document("", "text") == ""
    assert values.document(" \n ", "text") == ""
    assert values.document("  innrykk\n", "text") == "  innrykk\n"  # kept as written
    refusal(values.document, "\u200b", "text")


def test_optional_text_is_none_when_blank() -> None:
    assert values.optional_paragraphs(None, "comment", limit=10) is None
    assert values.optional_paragraphs("  ", "comment", limit=10) is None
    refusal(values.optional_paragraphs, "\u200b\u200b", "comment", limit=10)


def test_identifier_is_never_changed_only_refused() -> None:
    decomposed = "sub-e\u0301"
    assert values.identifier(decomposed, "token.sub") == decomposed
    refusal(values.identifier, "sub\x00", "token.sub")
    refusal(values.identifier, "\u200b", "token.sub")


# -- dates and instants ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "instant",
    [
        datetime(1, 1, 1, tzinfo=PLUS_14),  # before year 1 in UTC: cannot even be converted
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14),  # after year 9999 in UTC
        datetime(1899, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2201, 1, 1, tzinfo=UTC),
    ],
)
def test_instants_outside_1900_to_2200_are_refused(instant: datetime) -> None:
    error = refusal(values.instant, instant, "approved_at")
    assert error.field == "approved_at"
    assert "outside the years 1900-2200; give a date within them" in error.message


def test_instants_are_converted_to_utc_once() -> None:
    oslo_winter = timezone(timedelta(hours=1))
    converted = values.instant(datetime(2026, 3, 1, 12, tzinfo=oslo_winter), "approved_at")
    assert converted == datetime(2026, 3, 1, 11, tzinfo=UTC)
    assert converted.tzinfo is UTC
    assert values.instant(datetime(1900, 1, 1, tzinfo=UTC), "x").year == 1900
    refusal(values.instant, datetime(2026, 3, 1), "approved_at")  # naive


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1)])
def test_dates_outside_1900_to_2200_are_refused(day: date) -> None:
    refusal(values.day, day, "fulfilled_on")


def test_reading_an_instant_beyond_what_datetime_holds_never_fails() -> None:
    low = values.in_zone(datetime(1, 1, 1, tzinfo=PLUS_14))
    high = values.in_zone(datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14))
    assert (low, high) == (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


# -- the aggregates use them -------------------------------------------------------------------


def test_registration_refuses_a_nul_in_the_name_and_names_the_field() -> None:
    people = make_identities()
    error = refusal(
        Candidate.register,
        people.candidate,
        name="Lise\x00Lege",
        email="lise@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
    )
    assert error.field == "name" and error.message.startswith("name holds a control character")


def test_registration_refuses_superscript_digits_as_hpr_number() -> None:
    people = make_identities()
    with pytest.raises(InvalidInputError, match="hpr_number must be 4 to 9 digits"):
        Candidate.register(
            people.candidate,
            name="Lise Lege",
            email="lise@example.no",
            specialty="ALM",
            organisation_id="0301",
            organisation_name="Oslo kommune",
            hpr_number="1234²",
        )


def test_invitation_refuses_a_right_to_left_override_in_the_name() -> None:
    people = make_identities()
    candidate = build_candidate(people)
    error = refusal(
        candidate.invite,
        candidate.actor(people.candidate),
        invitation_id="inv-x",
        role="supervisor",
        name="Siri \u202eS\u00f8r",
        email="siri@example.no",
        secret="s",
        expires_at=NOW,
    )
    assert error.field == "name"


def test_meeting_scheduled_with_an_offset_is_kept_in_utc() -> None:
    people = make_identities()
    candidate = build_candidate(people)
    meeting = SupervisionMeeting.create(
        candidate.actor(people.veileder),
        meeting_id=candidate.id,
        candidate_id=candidate.id,
        scheduled_for=datetime(2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=1))),
        planned_minutes=45,
    )
    assert meeting.scheduled_for == "2026-03-01T09:00:00+00:00"
    error = refusal(
        SupervisionMeeting.create,
        candidate.actor(people.veileder),
        meeting_id=candidate.id,
        candidate_id=candidate.id,
        scheduled_for=date(1, 1, 1),
        planned_minutes=45,
    )
    assert error.field == "scheduled_for"


def test_the_acting_identity_is_checked_like_any_text() -> None:
    values.check_person("lis-sub", "Lise Lege")
    error = refusal(values.check_person, "lis-sub", "Lise \ud800")
    assert error.field == "token.name"
