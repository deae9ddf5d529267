"""The benchmark dataset is made of real domain events that load and replay (issue 7)."""

from __future__ import annotations

import sys
from pathlib import Path

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import candidate_id_for
from kompetanse_store.urls import event_store_env

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from generate_dataset import generate


def test_generated_history_is_stored_and_replays_into_valid_aggregates(database_url: str) -> None:
    app = KompetanseApplication(env=event_store_env(database_url))
    stored = generate(app, 2, seed=7, progress=False)

    assert stored == app.recorder.max_notification_id()
    assert stored > 2000, "two candidates make a few thousand events"
    fresh = KompetanseApplication(env=event_store_env(database_url))
    candidate = fresh.get_candidate(candidate_id_for("lis-000001"))
    assert isinstance(candidate, Candidate)
    assert {"LIS1-KLK", "LIS1-FKM"} <= set(candidate.plans)
    states = {fresh.get_goal(candidate.id, code).state for code in candidate.goal_codes()}
    assert "approved" in states
    first = fresh.recorder.select_notifications(start=1, limit=1)[0]
    last = fresh.recorder.select_notifications(start=stored, limit=1)
    assert first.id == 1 and last
    timestamps = [
        fresh.mapper.to_domain_event(n).timestamp
        for n in fresh.recorder.select_notifications(start=1, limit=200)
    ]
    assert min(timestamps).year < 2026, "history is spread over years, not stamped now"
