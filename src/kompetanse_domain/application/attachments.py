"""Which stored files the events refer to (R9): what `kompetanse attachments sweep` keeps.

An upload is stored before its `AttachmentUploaded` event is saved (ADR 0009), so a
failed command can leave a file no event names. The sweep removes such files; this
reads the names it must keep from the event store itself (every `AttachmentUploaded`
ever saved, in bounded batches, decoded as the application decodes them, so an
encrypted store works too), never from a view that might lag or be rebuilding.
"""

from __future__ import annotations

from typing import cast

from eventsourcing.utils import get_topic

from kompetanse_domain.application.service import KompetanseApplication
from kompetanse_domain.model.candidate import Candidate

BATCH = 2000
# the topics an attachment's event was ever stored under; a renamed event class must
# add its old topic here, or the sweep would take its files for orphans
ATTACHMENT_TOPICS = (get_topic(Candidate.AttachmentUploaded),)


def referenced_attachments(application: KompetanseApplication) -> set[str]:
    """The SHA-256 of every file an `AttachmentUploaded` event in the store names."""
    recorder = application.recorder
    referenced: set[str] = set()
    after = 0
    while True:
        batch = recorder.select_notifications(
            start=after, limit=BATCH, topics=ATTACHMENT_TOPICS, inclusive_of_start=False
        )
        if not batch:
            return referenced
        for notification in batch:
            # no type test: an event that does not decode stops the sweep before it removes
            event = application.mapper.to_domain_event(notification)
            referenced.add(cast(Candidate.AttachmentUploaded, event).sha256)
        after = batch[-1].id
