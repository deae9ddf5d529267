"""The read models, one module each: tables of one generation and one handler per event."""

from __future__ import annotations

from typing import Any

from projections.engine.base import ViewProjection
from projections.views.audit import AuditView
from projections.views.candidates import CandidatesView
from projections.views.finder import FinderView
from projections.views.goals import GoalsView
from projections.views.inbox import InboxView
from projections.views.leader import LeaderView
from projections.views.meetings import MeetingsView
from projections.views.mentor import MentorView
from projections.views.profile import ProfileView
from projections.views.progress import ProgressView


def all_views() -> list[ViewProjection[Any]]:
    """Every view, in the order the follower applies a batch to them."""
    return [
        CandidatesView(),
        GoalsView(),
        MeetingsView(),
        ProgressView(),
        LeaderView(),
        InboxView(),
        AuditView(),
        FinderView(),  # API.md v1.1 "Finding things"
        ProfileView(),  # R28: specialties with their dates; a deputy's end (R7)
        MentorView(),  # API.md v1.1 "Mentor and leader" (R26)
    ]
