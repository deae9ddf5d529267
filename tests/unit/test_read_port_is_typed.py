"""The API's read port names real types: no `Any` in any answer, and the view tables'
`Queries` offers every query of the port with the same parameters (issue 23)."""

from __future__ import annotations

import inspect
from typing import Any, get_args, get_type_hints, is_typeddict

from api.deps import Projections
from projections.queries import Queries
from projections.queries.port import ReadPort


def _port_queries() -> list[str]:
    return [
        name
        for name, member in inspect.getmembers(ReadPort, inspect.isfunction)
        if not name.startswith("_")
    ]


def _anys(hint: object, seen: set[int]) -> list[str]:
    """Where `Any` hides in a type: itself, its arguments, the fields of a TypedDict."""
    if hint is Any:
        return ["Any"]
    if id(hint) in seen:
        return []
    seen.add(id(hint))
    found: list[str] = []
    if isinstance(hint, type) and is_typeddict(hint):
        for field, field_hint in get_type_hints(hint).items():
            found += [f"{hint.__name__}.{field}: {where}" for where in _anys(field_hint, seen)]
    for argument in get_args(hint):
        found += _anys(argument, seen)
    return found


def test_no_answer_or_parameter_of_the_read_port_is_any() -> None:
    names = _port_queries()
    assert "get_candidate" in names and "feed_page" in names  # the port is not empty

    for name in names:
        hints = get_type_hints(getattr(ReadPort, name))
        assert "return" in hints, f"ReadPort.{name} says what it answers"
        for part, hint in hints.items():
            assert _anys(hint, set()) == [], f"ReadPort.{name} {part} is typed Any"


def test_the_views_queries_answer_every_query_of_the_port_with_its_parameters() -> None:
    for name in _port_queries():
        port = inspect.signature(getattr(ReadPort, name))
        implemented = inspect.signature(getattr(Queries, name))
        assert list(implemented.parameters) == list(port.parameters), name
        assert get_type_hints(getattr(Queries, name)) == get_type_hints(getattr(ReadPort, name))


def test_the_api_holds_the_read_side_by_the_port_not_by_any() -> None:
    hints = get_type_hints(Projections.queries.fget)  # type: ignore[attr-defined]
    assert hints["return"] is ReadPort
    for name, member in inspect.getmembers(Projections, inspect.isfunction):
        if not name.startswith("_"):
            for part, hint in get_type_hints(member).items():
                assert _anys(hint, set()) == [], f"Projections.{name} {part} is typed Any"
