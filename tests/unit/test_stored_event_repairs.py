"""What a declared repair makes of a stored event's values (ADR 0019)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from kompetanse_domain.application.repairs import EARLIEST, LATEST, make_projectable

PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))


def test_texts_lose_nul_and_lone_surrogates_to_the_replacement_character() -> None:
    state = {"name": "Lise\x00Lege", "items": ["ok", "bad\ud800"], "note": {"text": "a\x00"}}

    changed = make_projectable(state)

    assert changed == ("name", "items", "note")
    assert state == {
        "name": "Lise\ufffdLege",
        "items": ["ok", "bad\ufffd"],
        "note": {"text": "a\ufffd"},
    }


def test_instants_beyond_the_calendars_ends_are_clamped_to_what_utc_can_hold() -> None:
    state = {
        "approved_at": datetime(1, 1, 1, tzinfo=PLUS_14),
        "decided_at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14),
        "edge": datetime(1, 1, 1, 12, tzinfo=UTC),
    }

    assert make_projectable(state) == ("approved_at", "decided_at", "edge")
    assert state == {"approved_at": EARLIEST, "decided_at": LATEST, "edge": EARLIEST}
    for instant in state.values():
        instant.astimezone(PLUS_14), instant.astimezone(MINUS_14)  # no OverflowError


def test_values_a_view_can_store_are_left_as_they_are() -> None:
    now = datetime.now(UTC)
    state = {"name": "Åse Ødegård", "at": now, "on": date(1, 1, 1), "count": 3, "none": None}

    assert make_projectable(state) == ()
    assert state["at"] is now and state["name"] == "Åse Ødegård"
