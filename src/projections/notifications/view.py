"""Who is told of what: a follower of the event stream (R31, ADR 0025).

Run by the views' engine (`Follower`), so the notifications an event gives and the
position after it are committed in one transaction: each event is decided exactly once,
crash or not. Each notification is written with its e-mail (an outbox row, delivered by
`sender`) in that same transaction. The decision of who must act is the domain's
(`kompetanse_domain.model.notifying`); this module holds the facts it needs.

Only names, goal codes and links reach a notification: never an activity's title, a
comment, a reason, a summary or a concern's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from kompetanse_domain.model import (
    candidate_concerns,
    candidate_invitations,
    notifying,
    plan_versions,
)
from kompetanse_domain.model import goal_corrections as corrections
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting
from kompetanse_domain.model.notifying import Kind
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.notifications.tables import NotificationTables, define_notification_tables
from projections.views import candidate_rows, goal_rows
from projections.views.rows import per_event, register_calls

Tx = ViewTx[NotificationTables]
APPROVER_ROLES = (Role.LEADER.value, Role.DEPUTY.value)
SIGNER_ROLES = (Role.SUPERVISOR.value, Role.VEILEDER.value)
# who is told or reminded while they hold the role (a role row each)
TRACKED_ROLES = (*APPROVER_ROLES, *SIGNER_ROLES)
# what the candidate is told of a decision (never an approval's withdrawal's reason)
ACTIVITY_DECIDED: dict[type, Kind] = {
    LearningGoal.ActivitySigned: Kind.ACTIVITY_SIGNED,
    LearningGoal.ActivityRejected: Kind.ACTIVITY_REJECTED,
}
GOAL_DECIDED: dict[type, Kind] = {
    LearningGoal.Approved: Kind.GOAL_APPROVED,
    LearningGoal.Rejected: Kind.GOAL_REJECTED,
    corrections.ApprovalWithdrawn: Kind.APPROVAL_WITHDRAWN,
}


def approvers_on(roles: list[Any], on: date) -> list[str]:
    """The leader and the deputies still acting on `on`, from a candidate's role rows."""
    leader = next((r["sub"] for r in roles if r["role"] == Role.LEADER.value), None)
    deputies = [(r["sub"], r["until"]) for r in roles if r["role"] == Role.DEPUTY.value]
    return notifying.approvers(leader, notifying.active_deputies(deputies, on))


@dataclass(frozen=True)
class Links:
    """Where a notification points: pages under the portal's public address."""

    base: str

    def url(self, path: str) -> str:
        return f"{self.base.rstrip('/')}{path}"


def message_id(notification_id: str, base: str) -> str:
    """The e-mail's stable Message-ID: one per notification, i.e. per (event, recipient)."""
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "kompetanse"
    return f"<{notification_id}@{host}>"


def write_notification(
    tx_insert: Any,
    t: NotificationTables,
    base: str,
    *,
    notification_id: str,
    kind: str,
    candidate_id: str | None,
    subject: str,
    link: str,
    created_at: datetime,
    recipient_sub: str | None = None,
    recipient_email: str | None = None,
) -> None:
    """The notification row and its e-mail, through `tx_insert(table, **values)` (the
    follower's batch or the reminder's transaction), so both commit together."""
    tx_insert(
        t.notification,
        notification_id=notification_id,
        recipient_sub=recipient_sub,
        recipient_email=recipient_email,
        kind=kind,
        candidate_id=candidate_id,
        subject=subject,
        link=link,
        created_at=created_at,
        read_at=None,
    )
    tx_insert(
        t.outbox,
        notification_id=notification_id,
        message_id=message_id(notification_id, base),
        state="waiting",
        attempts=0,
        failures=0,
        next_attempt_at=created_at,
        claimed_at=None,
        last_error=None,
        created_at=created_at,
        sent_at=None,
        sent_to=None,
    )


class NotificationsView(ViewProjection[NotificationTables], name="notifications"):
    define = staticmethod(define_notification_tables)

    def __init__(self, public_url: str = "", invitation_key: bytes | None = None) -> None:
        super().__init__()
        self.links = Links(public_url or "http://127.0.0.1:8000")
        self.invitation_key = invitation_key

    # -- helpers ---------------------------------------------------------------------

    def _notify(
        self, tx: Tx, event: Any, recipient: str, kind: Kind, subject: str, link: str, cid: str
    ) -> None:
        source = f"{aggregate_id(event)}:{event.originator_version}"
        write_notification(
            tx.insert,
            tx.t,
            self.links.base,
            notification_id=notifying.notification_id(source, recipient, kind),
            kind=kind,
            candidate_id=cid,
            subject=subject,
            link=link,
            created_at=event.timestamp,
            recipient_sub=recipient,
        )

    def _candidate(self, tx: Tx, cid: str) -> tuple[str, str]:
        row = tx.row(tx.t.candidate, {"candidate_id": cid})
        return ("", "") if row is None else (row["sub"], row["name"])

    def _approvers(self, tx: Tx, cid: str, at: datetime) -> list[str]:
        """The leader and the deputies who may still act at `at` (R7, a deputy's `until`)."""
        rows = tx.conn.execute(tx.t.role.select().where(tx.t.role.c.candidate_id == cid)).mappings()
        return approvers_on(list(rows), notifying.oslo_date(at))

    def _goal(self, tx: Tx, event: Any) -> tuple[str, str]:
        row = tx.row(tx.t.goal, {"goal_id": aggregate_id(event)})
        return ("", "") if row is None else (row["candidate_id"], row["code"])

    def _goal_link(self, cid: str, code: str) -> str:
        return self.links.url(f"/v1/candidates/{cid}/goals/{code}")

    # -- people ----------------------------------------------------------------------

    process_event = event_handlers()  # other events tell nobody anything

    @process_event.register
    def candidate_registered(self, event: Candidate.Registered, tx: Tx) -> None:
        tx.insert(tx.t.candidate, **candidate_rows.registered(event, "sub name"))
        self._remember_address(tx, event.sub, event.email)

    def _remember_address(self, tx: Tx, sub: str, email: str) -> None:
        if tx.exists(tx.t.address, {"sub": sub}):
            tx.update(tx.t.address, {"sub": sub}, email=email)
        else:
            tx.insert(tx.t.address, sub=sub, email=email)

    @process_event.register
    def invitation_issued(self, event: candidate_invitations.InvitationIssued, tx: Tx) -> None:
        cid = aggregate_id(event)
        tx.insert(
            tx.t.invitation,
            invitation_id=event.invitation_id,
            candidate_id=cid,
            email=event.email,
            until=event.until,
        )
        _, candidate_name = self._candidate(tx, cid)
        if self.invitation_key is not None:
            secret = notifying.invitation_secret(self.invitation_key, event.invitation_id)
            token = f"{UUID(cid).hex}.{UUID(event.invitation_id).hex}.{secret}"
            link = self.links.url(f"/v1/invitations/{token}/accept")
        else:  # no key: the candidate hands the token on (the e-mail still says who asks)
            link = self.links.url("/docs")
        kind = Kind.INVITATION
        write_notification(
            tx.insert,
            tx.t,
            self.links.base,
            notification_id=notifying.notification_id(event.invitation_id, event.email, kind),
            kind=kind,
            candidate_id=cid,
            subject=notifying.subject(
                kind, actor_name=event.actor_name, candidate_name=candidate_name, role=event.role
            ),
            link=link,
            created_at=event.timestamp,
            recipient_email=event.email,
        )

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        email = tx.value(tx.t.invitation, "email", {"invitation_id": event.invitation_id})
        if email is not None and not tx.exists(tx.t.address, {"sub": event.actor}):
            tx.insert(tx.t.address, sub=event.actor, email=email)
        if event.role in TRACKED_ROLES:
            key = {"candidate_id": aggregate_id(event), "sub": event.actor, "role": event.role}
            until = tx.value(tx.t.invitation, "until", {"invitation_id": event.invitation_id})
            tx.replace(tx.t.role, key, until=until)

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        cid = aggregate_id(event)
        if event.role in TRACKED_ROLES:
            tx.delete(tx.t.role, {"candidate_id": cid, "sub": event.sub, "role": event.role})
        if event.role in SIGNER_ROLES and not self._signs_for(tx, cid, event.sub):
            # R10: no longer a supervisor or veileder of the candidate, they cannot sign
            # what was sent to them, so it waits for them no more: no reminder (R31)
            goals = select(tx.t.goal.c.goal_id).where(tx.t.goal.c.candidate_id == cid)
            activity = tx.t.activity
            tx.conn.execute(
                update(activity)
                .where(activity.c.signer_sub == event.sub, activity.c.goal_id.in_(goals))
                .values(waiting_since=None)
            )

    def _signs_for(self, tx: Tx, cid: str, sub: str) -> bool:
        """Still a supervisor or the veileder of the candidate (a role row of either; rows
        of signer roles are kept since this release, so an older grant is not seen)."""
        return any(
            tx.exists(tx.t.role, {"candidate_id": cid, "sub": sub, "role": role})
            for role in SIGNER_ROLES
        )

    # -- goals and activities ------------------------------------------------------------

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(tx.t.goal, **goal_rows.goal_of(event), withdrawn=False, waiting_since=None)

    @process_event.register
    def goal_withdrawn(self, event: LearningGoal.Withdrawn, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=True, waiting_since=None)

    @process_event.register
    def goal_reopened(self, event: LearningGoal.Reopened, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=False)

    @process_event.register
    def goal_left_plan(self, event: plan_versions.GoalLeftPlan, tx: Tx) -> None:
        """R30: a goal the plan's new version left out waits for no approver any more."""
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=True, waiting_since=None)

    @process_event.register
    def goal_moved_to_version(self, event: plan_versions.GoalMovedToVersion, tx: Tx) -> None:
        """R30: a goal kept by the new version; one carried over as approved waits no more."""
        waits = {} if event.state == GoalState.SENT_FOR_APPROVAL else {"waiting_since": None}
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=False, **waits)

    @process_event.register
    def activity_sent_for_signing(self, event: LearningGoal.ActivitySentForSigning, tx: Tx) -> None:
        key = {"activity_id": event.activity_id}
        values = {"signer_sub": event.signer_sub, "waiting_since": event.timestamp}
        if tx.exists(tx.t.activity, key):
            tx.update(tx.t.activity, key, **values)
        else:
            tx.insert(tx.t.activity, goal_id=aggregate_id(event), **key, **values)
        cid, code = self._goal(tx, event)
        _, candidate_name = self._candidate(tx, cid)
        kind = Kind.SIGNING_REQUESTED
        subject = notifying.subject(kind, candidate_name=candidate_name, goal_code=code)
        link = self.links.url("/v1/supervisors/me/signing-requests")
        self._notify(tx, event, event.signer_sub, kind, subject, link, cid)

    def _activity_decided(self, event: Any, tx: Tx, kind: Kind) -> None:
        tx.update(tx.t.activity, {"activity_id": event.activity_id}, waiting_since=None)
        self._tell_candidate(event, tx, kind)

    register_calls(process_event, "_activity_decided", per_event("kind", ACTIVITY_DECIDED))

    def _tell_candidate(self, event: Any, tx: Tx, kind: Kind) -> None:
        cid, code = self._goal(tx, event)
        candidate_sub, _ = self._candidate(tx, cid)
        if candidate_sub:
            subject = notifying.subject(kind, actor_name=event.actor_name, goal_code=code)
            self._notify(tx, event, candidate_sub, kind, subject, self._goal_link(cid, code), cid)

    @process_event.register
    def sent_for_approval(self, event: LearningGoal.SentForApproval, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, waiting_since=event.timestamp)
        cid, code = self._goal(tx, event)
        _, candidate_name = self._candidate(tx, cid)
        kind = Kind.APPROVAL_REQUESTED
        subject = notifying.subject(kind, candidate_name=candidate_name, goal_code=code)
        link = self.links.url("/v1/leaders/me/approvals")
        for recipient in self._approvers(tx, cid, event.timestamp):
            self._notify(tx, event, recipient, kind, subject, link, cid)

    def _goal_decided(self, event: Any, tx: Tx, kind: Kind) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, waiting_since=None)
        self._tell_candidate(event, tx, kind)

    register_calls(process_event, "_goal_decided", per_event("kind", GOAL_DECIDED))

    # -- corrections (R29): what was recalled or withdrawn no longer waits (no reminder) --

    @process_event.register
    def goal_recalled(self, event: corrections.Recalled, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, waiting_since=None)

    @process_event.register
    def activity_withdrawn(self, event: corrections.ActivityWithdrawn, tx: Tx) -> None:
        tx.update(tx.t.activity, {"activity_id": event.activity_id}, waiting_since=None)

    # An edited activity (`ActivityEdited`) was registered or rejected, so it waits for
    # nobody; sent again, `activity_sent_for_signing` starts its wait (and reminders) anew.

    # -- concerns (R26) ----------------------------------------------------------------

    @process_event.register
    def concern_raised(self, event: candidate_concerns.ConcernRaised, tx: Tx) -> None:
        """The leader and the deputies still acting are told who raised a concern about whom;
        never its text (R31)."""
        cid = aggregate_id(event)
        _, candidate_name = self._candidate(tx, cid)
        kind = Kind.CONCERN_RAISED
        subject = notifying.subject(
            kind, actor_name=event.actor_name, candidate_name=candidate_name
        )
        link = self.links.url(f"/v1/candidates/{cid}/concerns")
        for recipient in self._approvers(tx, cid, event.timestamp):
            self._notify(tx, event, recipient, kind, subject, link, cid)

    # -- meetings --------------------------------------------------------------------

    @process_event.register
    def meeting_created(self, event: SupervisionMeeting.Created, tx: Tx) -> None:
        cid = str(event.candidate_id)
        candidate_sub, _ = self._candidate(tx, cid)
        if candidate_sub:
            kind = Kind.MEETING_SCHEDULED
            subject = notifying.subject(kind, actor_name=event.actor_name)
            link = self.links.url(f"/v1/meetings/{aggregate_id(event)}")
            self._notify(tx, event, candidate_sub, kind, subject, link, cid)
