"""A process builds its services again and again (each CLI command, each test, a server's
workers): the views' tables and their fingerprints are worked out once per process and
shared, and a view whose tables change still gets its own fingerprint."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table

from projections.engine.schema import ViewSchema
from projections.views import all_views
from projections.views.meetings import MeetingsView, MeetingTables


def test_services_built_again_share_the_tables_and_fingerprints_of_the_views() -> None:
    first, second = ViewSchema(all_views()), ViewSchema(all_views())
    for name in first.views:
        assert second.metadata(name, 3) is first.metadata(name, 3)
        assert second.tables(name, 3) is first.tables(name, 3)
        assert second.shape(name) == first.shape(name)
    assert first.metadata("meetings", 3) is not first.metadata("meetings", 4)


def _define_with_one_more_table(md: MetaData, generation: int) -> MeetingTables:
    Table(f"meeting_extra_g{generation}", md, Column("n", Integer, primary_key=True))
    return MeetingTables.define(md, generation)


class ChangedMeetingsView(MeetingsView, name="meetings"):
    define = staticmethod(_define_with_one_more_table)


def test_a_view_whose_tables_change_gets_another_fingerprint_and_its_own_tables() -> None:
    now, changed = ViewSchema([MeetingsView()]), ViewSchema([ChangedMeetingsView()])
    assert changed.shape("meetings") != now.shape("meetings")
    extra = {table.name for table in changed.metadata("meetings", 1).sorted_tables}
    assert "meeting_extra_g1" in extra
    assert "meeting_extra_g1" not in {t.name for t in now.metadata("meetings", 1).sorted_tables}
