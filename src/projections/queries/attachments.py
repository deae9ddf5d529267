"""R27: the `attachment` object of activities, and who was sent an activity carrying a file.

Both read the `goals` view's `attachment` and `attachment_sent` tables; other queries
(signing requests) use `attachments_by_id` to describe the files their activities carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import select

from projections.queries.port import AttachmentRow
from projections.queries.read import ReadTx
from projections.views.goals_tables import GoalTables


def attachments_by_id(r: ReadTx, ids: Iterable[str | None]) -> dict[str, AttachmentRow]:
    """The description of each named file (ids that are None or unknown are left out)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    t: GoalTables = r.t("goals")
    a = t.attachment.c
    rows = r.conn.execute(select(t.attachment).where(a.attachment_id.in_(wanted))).all()
    return {row.attachment_id: _row(row) for row in rows}


def get_attachment(r: ReadTx, cid: UUID, attachment_id: str) -> AttachmentRow | None:
    t: GoalTables = r.t("goals")
    a = t.attachment.c
    row = r.conn.execute(
        select(t.attachment).where(
            (a.attachment_id == attachment_id) & (a.candidate_id == str(cid))
        )
    ).first()
    return None if row is None else _row(row)


def attachment_sent_to(r: ReadTx, cid: UUID, attachment_id: str, sub: str) -> bool:
    """Whether an activity carrying this file of this candidate was ever sent to `sub`."""
    t: GoalTables = r.t("goals")
    a, s = t.attachment.c, t.attachment_sent.c
    found = r.conn.execute(
        select(s.sub)
        .join(t.attachment, a.attachment_id == s.attachment_id)
        .where((s.attachment_id == attachment_id) & (s.sub == sub) & (a.candidate_id == str(cid)))
    ).first()
    return found is not None


def _row(row: object) -> AttachmentRow:
    m = row._mapping  # type: ignore[attr-defined]
    return {
        "attachment_id": m["attachment_id"],
        "filename": m["filename"],
        "content_type": m["content_type"],
        "size": m["size"],
        "sha256": m["sha256"],
    }
