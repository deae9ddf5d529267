"""A database of the release before needs no rebuild: the view and notification tables
are defined from one column vocabulary (`projections.views.columns`) since, and every
table, column, type, key and index is what it was, on both stores' dialects.

The fingerprints are of the DDL each store is given (generation 0); a view whose tables
change on purpose gets a new one here, and a `kompetanse projections rebuild NAME`.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from projections.notifications.tables import define_notification_tables
from projections.views import all_views

DIALECTS: dict[str, Dialect] = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}

BEFORE = {
    "postgresql": {
        "candidates": "fb60300df0b0c0a1a662e0981d22c115c39df604fa1f12fbe28d57d2b52f11e6",
        "goals": "4123e842ff46266e48a1e02b969707dea2a6b41dfb3b031d3200f4835b2b6565",
        "meetings": "7bfaa8902b31ebdfed6be4a46b710473b6c4d7a145e09ddd755050fb279de3bf",
        "progress": "8b9cb6d6675c221f273fbe3696d7bf380f437fa92bde95ec1cd45f0b72ab7c2f",
        "leader": "54d101d48c62ff83f1941a8aee7e72891155c001ec8d67f931c589e737271253",
        "inbox": "38ecf2d4b753475aaf619cbfda6bc55b89de8667ab81a4aaa4fe5c7a120f721f",
        "audit": "f3e723370ae8cd9f0af1cfa60d59829b20848e3e1f08ccdd4a8fcf396e909bc9",
        "finder": "59bb6a8c2d7aaacf2564c63f1382936e40298627d28cbd68f6f463fd52ce54ca",
        "profile": "89e133410823c8c2195d56c619ec5d95784e3e182c511f4d9801aa13c933769c",
        "mentor": "e48246e13b7c2902cf0745c4484c74ee2f9fd07f10c7914a56cdc8028fd0fd0f",
        "notifications": "ac0f3b925ca71d96da8e9683794846967a7e15fe4cf2c6fb97cbea2db9f0e8e6",
    },
    "sqlite": {
        "candidates": "314c92c61e9b2bead3aa0e1c23a5868d80efd4262552771862251c7ea4164338",
        "goals": "91f916edc3e85c5440e869f507e8a238043cb3552a6128100f7aa1a98f4694cf",
        "meetings": "778d6df19240a7f519e3308642c8228b2bb7676c9fda4d03ece2498dc5349cad",
        "progress": "4c15e42e8b2f0ff228925366b11df4fbec635df07d6bc93d891fa42cb95be458",
        "leader": "1ff92e0c9ee955c178937439d1ace562ee84dfa48d83c1423452703fe8c86135",
        "inbox": "6993f0b9b6ed6c3d4adde920336526be7e25692173560a9359afecfe1cc55779",
        "audit": "8471a58f6a48db4b9da9aa77f12e88c410555447794d85c450886f17d37b099c",
        "finder": "59bb6a8c2d7aaacf2564c63f1382936e40298627d28cbd68f6f463fd52ce54ca",
        "profile": "89e133410823c8c2195d56c619ec5d95784e3e182c511f4d9801aa13c933769c",
        "mentor": "271e1da4a9ed78af80ca361c6b49906b1a2e4f2ede0de1a43ba5833eec80336b",
        "notifications": "cb950c5d7ceac6a885fee372b96a0108441f11d714b5e1eda44bb7b482beb609",
    },
}


def fingerprint(md: MetaData, dialect: Dialect) -> str:
    ddl = [str(CreateTable(tbl).compile(dialect=dialect)) for tbl in md.sorted_tables]
    ddl += [
        str(CreateIndex(idx).compile(dialect=dialect))
        for tbl in md.sorted_tables
        for idx in sorted(tbl.indexes, key=lambda found: str(found.name))
    ]
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()


def fingerprints(dialect: Dialect) -> dict[str, str]:
    found = {}
    for view in all_views():
        md = MetaData()
        view.define(md, 0)
        found[view.name] = fingerprint(md, dialect)
    md = MetaData()
    define_notification_tables(md)
    found["notifications"] = fingerprint(md, dialect)
    return found


@pytest.mark.parametrize("store", sorted(DIALECTS))
def test_every_view_and_notification_table_is_as_the_release_before_defined_it(
    store: str,
) -> None:
    assert fingerprints(DIALECTS[store]) == BEFORE[store]
