"""R23 and R24 role checks, each decided once in the domain; pure, no I/O.

R23: only the sync job (platform role `sync`) reads the feed and imports approvals.
R24: the candidate and auditors read the history; only auditors verify it; people
with no role for the candidate learn nothing (not found).
"""

from __future__ import annotations

import pytest

from kompetanse_domain.errors import ForbiddenError
from kompetanse_domain.model.guards import (
    SYNC_ROUTES_REFUSAL,
    NotRelatedError,
    RoleNotPermittedError,
    check_sync_job,
)
from kompetanse_domain.model.identity import Identity
from unit.domain_builders import (
    AUDITOR,
    LEADER,
    LIS,
    STRANGER,
    SYNC,
    VEILEDER,
    Team,
    staffed_candidate,
)


@pytest.fixture
def team() -> Team:
    return staffed_candidate()


def test_the_sync_job_may_import_approvals_and_read_the_feed() -> None:
    check_sync_job(SYNC)
    check_sync_job(SYNC, SYNC_ROUTES_REFUSAL)


@pytest.mark.parametrize("identity", [LIS, LEADER, AUDITOR, STRANGER], ids=lambda i: i.sub)
def test_anyone_but_the_sync_job_is_refused_importing_approvals(identity: Identity) -> None:
    with pytest.raises(ForbiddenError) as refused:
        check_sync_job(identity)

    assert refused.value.message == "R23: only the sync job (role sync) imports approvals"


def test_the_sync_routes_refuse_others_with_their_own_words() -> None:
    with pytest.raises(ForbiddenError) as refused:
        check_sync_job(AUDITOR, SYNC_ROUTES_REFUSAL)

    assert refused.value.message == (
        "R23: only the sync job (platform role sync) may read the feed or import approvals"
    )


def test_only_auditors_verify_the_history(team: Team) -> None:
    team.candidate.check_can_verify_history(team.actor(AUDITOR))

    for identity in (LIS, LEADER, VEILEDER):
        with pytest.raises(RoleNotPermittedError) as refused:
            team.candidate.check_can_verify_history(team.actor(identity))
        assert refused.value.message == "R24: only auditors verify the history"


def test_someone_with_no_role_learns_nothing_when_verifying_the_history(team: Team) -> None:
    with pytest.raises(NotRelatedError):
        team.candidate.check_can_verify_history(team.actor(STRANGER))


def test_the_candidate_and_auditors_read_the_history_and_others_related_are_refused(
    team: Team,
) -> None:
    team.candidate.check_can_read_history(team.actor(LIS))
    team.candidate.check_can_read_history(team.actor(AUDITOR))

    with pytest.raises(RoleNotPermittedError, match="R24: only the candidate and auditors"):
        team.candidate.check_can_read_history(team.actor(LEADER))
    with pytest.raises(NotRelatedError):
        team.candidate.check_can_read_history(team.actor(STRANGER))
