"""The views' columns by name, and tables defined in a line from those names.

A column name has one type in every view that keeps it (`candidate_id` is an `ID`
wherever it stands, `specialty` a `CODE`, ...), so a table is its base name and its
column names in order: `t("leader_link", "sub candidate_id role since", key=3,
index_on="candidate_id")`: the first three columns are its primary key, and it has an
index on `candidate_id`. A name ending in `?` may be NULL; the others are NOT NULL.

The table names, column names, types and order are exactly what the views had when
they wrote each `Column` out: a view's shape (`engine.schema.ViewSchema.shape`) and
its existing tables stay as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.schema import SchemaItem
from sqlalchemy.types import TypeEngine

from projections.engine.tables import (
    CODE,
    ID,
    NAME,
    PORTABLE_JSON,
    STATE,
    SUB,
    UTCDateTime,
    index,
    table,
)


def _typed(kind: Any, names: str) -> dict[str, Any]:
    return dict.fromkeys(names.split(), kind)


TYPES: Mapping[str, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    **_typed(
        ID,
        "activity_id aggregate_id attachment_id candidate_id comment_id concern_id event_id"
        " goal_id invitation_id meeting_id notification_id",
    ),
    **_typed(
        SUB,
        "sub actor_sub approver_sub author_sub by_sub decided_by_sub raised_by_sub"
        " resolved_by_sub signer_sub veileder_sub withdrawn_by_sub recipient_sub",
    ),
    **_typed(
        NAME,
        "name email organisation_id organisation_name actor_name approver_name author_name"
        " by_name decided_by_name raised_by_name resolved_by_name signer_name veileder_name"
        " withdrawn_by_name",
    ),
    **_typed(
        CODE,
        "activity_code catalogue_version code goal_code hpr_number plan_code sha256 specialty",
    ),
    **_typed(
        STATE, "aggregate author_role content_type decision kind role scheduled_for state what"
    ),
    **_typed(
        UTCDateTime,
        "assigned_at at changed_at created_at decided_at granted_at occurred_at opened_at"
        " raised_at registered_at resolved_at sent_at since updated_at withdrawn_at written_at"
        " waiting_since read_at",
    ),
    **_typed(
        Integer,
        "count decision_version duration_minutes events goal_count meetings mentor_comments"
        " minutes ordinal pending planned_minutes registered schema signatures signed"
        " signed_activities size specialties version",
    ),
    **_typed(
        Text,
        "comment decision_comment filename name_key note send_comment source_event_id"
        " source_portal summary text title withdrawal_reason subject link",
    ),
    **_typed(Date, "completed_on from_date fulfilled_on held_on until"),
    **_typed(Boolean, "withdrawn"),
    **_typed(PORTABLE_JSON, "carried_over_from detail goals_discussed imported_from"),
    **_typed(BigInteger, "position"),
    **_typed(String(64), "hash prev_hash"),
    "month": String(7),
    "type": String(128),
}

# the goal's identity and state (`goal_rows.opened_goal` fills them)
GOAL_COLUMNS = "goal_id candidate_id code plan_code state withdrawn"
# the goal's way to a decision (`goal_rows.sent_for_approval` and `decided`), but the state
APPROVAL_COLUMNS = (
    "completed_on? sent_at? send_comment? approver_sub? approver_name?"
    " decided_by_sub? decided_by_name? decided_at?"
)


def columns(names: str, types: Mapping[str, Any] = TYPES) -> list[Column[Any]]:
    """Fresh columns, one per space-separated name (`name?`: NULL allowed)."""
    return [
        Column(name.rstrip("?"), types[name.rstrip("?")], nullable=name.endswith("?"))
        for name in names.split()
    ]


class Tables:
    """Defines the tables of one generation (`generation` None: plain names, the
    notification process's). The primary key is the first `key` columns."""

    def __init__(
        self, md: MetaData, generation: int | None, types: Mapping[str, Any] = TYPES
    ) -> None:
        self.md = md
        self.generation = generation
        self.types = types

    def __call__(
        self, base: str, names: str, *extra: SchemaItem, key: int = 1, index_on: str = ""
    ) -> Table:
        cols = columns(names, self.types)
        items = [*cols, PrimaryKeyConstraint(*(col.name for col in cols[:key])), *extra]
        if self.generation is None:
            tbl = Table(base, self.md, *items)
        else:
            tbl = table(self.md, base, self.generation, *items)
        if index_on:
            index(tbl, *index_on.split())
        return tbl


def spec(base: str, names: str, *, key: int = 1, index_on: str = "") -> Any:
    """A `TableGroup` field: the table `Tables(md, g)(base, names, key=, index_on=)`."""
    return dataclasses.field(metadata={"table": (base, names, key, index_on)})


class TableGroup:
    """A view's tables: a frozen dataclass with a `spec` field per table. `define(md, g)`
    defines them for generation `g`, in the order of the fields."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @classmethod
    def define(cls, md: MetaData, g: int) -> Self:
        t = Tables(md, g)
        tables: dict[str, Table] = {}
        for field in dataclasses.fields(cls):
            base, names, key, index_on = field.metadata["table"]
            tables[field.name] = t(base, names, key=key, index_on=index_on)
        return cls(**tables)
