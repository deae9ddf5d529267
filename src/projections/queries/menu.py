"""What a person's menu on the pages shows: whether they lead, mentor or have something
to sign, each an EXISTS over the view the full list reads, not the list itself."""

from __future__ import annotations

from sqlalchemy import exists, select

from projections.queries import inbox, leader
from projections.queries.port import MenuRow
from projections.queries.read import ReadTx
from projections.views.inbox import InboxTables
from projections.views.leader_tables import LeaderTables
from projections.views.mentor import MentorTables


def menu_of(r: ReadTx, sub: str) -> MenuRow:
    led: LeaderTables = r.t("leader")
    mentored: MentorTables = r.t("mentor")
    signing: InboxTables = r.t("inbox")
    a, g = signing.activity.c, signing.goal.c
    waiting = (
        exists().select_from(signing.activity.join(signing.goal, g.goal_id == a.goal_id))
    ).where(inbox.waiting_for(signing, sub))
    leads = exists().where(leader.held_by(r, led, sub))
    mentors = exists().where(mentored.link.c.sub == sub)
    row = r.conn.execute(select(leads, mentors, waiting)).one()
    return {"leads": bool(row[0]), "mentors": bool(row[1]), "signs": bool(row[2])}
