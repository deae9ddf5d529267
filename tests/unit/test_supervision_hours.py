"""R19 in the domain: supervision hours per month and the average against the rule; pure."""

from __future__ import annotations

from datetime import date

from kompetanse_domain.model.supervision_rule import SupervisionMonth, supervision_hours


def test_the_average_counts_months_without_supervision_as_zero_through_today() -> None:
    found = supervision_hours("ALM", [("2026-03", 240, 2), ("2026-01", 120, 1)], date(2026, 4, 15))

    assert found.months == (
        SupervisionMonth("2026-01", 120, 1),
        SupervisionMonth("2026-03", 240, 2),
    )
    assert found.months_counted == 4  # January through April
    assert found.total_hours == 6.0
    assert found.average_hours_per_month == 1.5


def test_alm_is_on_track_when_the_average_times_twelve_reaches_42_hours() -> None:
    on_track = supervision_hours("ALM", [("2026-04", 210, 1)], date(2026, 4, 30))
    behind = supervision_hours("ALM", [("2026-04", 209, 1)], date(2026, 4, 30))

    assert on_track.rule.hours_per_year == 42.0  # 4 h x 10.5 months (ADR 0006)
    assert (on_track.average_hours_per_month, on_track.on_track) == (3.5, True)
    assert (behind.average_hours_per_month, behind.on_track) == (3.48, False)


def test_months_at_or_above_four_hours_are_counted_for_alm() -> None:
    found = supervision_hours(
        "ALM", [("2026-01", 240, 1), ("2026-02", 239, 2), ("2026-03", 300, 1)], date(2026, 3, 1)
    )

    assert found.months_at_or_above_minimum == 2


def test_other_specialties_have_no_number_so_no_verdict() -> None:
    found = supervision_hours("SAM", [("2026-01", 60, 1)], date(2026, 2, 1))

    assert found.rule.hours_per_month is None
    assert found.average_hours_per_month == 0.5
    assert found.months_at_or_above_minimum is None
    assert found.on_track is None


def test_before_the_first_finalised_meeting_there_is_no_average() -> None:
    found = supervision_hours("ALM", [], date(2026, 2, 1))

    assert (found.months_counted, found.average_hours_per_month, found.on_track) == (0, None, None)
    assert found.total_hours == 0.0
