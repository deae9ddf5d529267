"""Why a view stopped, said without SQL or values (ADR 0019).

A view that cannot apply an event stops before it and never skips it (ADR 0004). What
is recorded in its tracking row, shown by `/readyz` (no token) and by
`kompetanse projections status`, is only: the failing event's position and type, and
the class of the error. The error's own text (which for a database error holds the
SQL, and may hold values) goes to the log only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from kompetanse_domain.errors import UnavailableError


@dataclass(frozen=True)
class StoppedAt:
    """The event a view stopped before: its position and type, and the error's class."""

    event_position: int | None
    event_type: str | None  # e.g. "LearningGoal.ApprovalImported"
    error_type: str

    @classmethod
    def of_topic(cls, position: int, topic: str, error: BaseException | str) -> StoppedAt:
        kind = topic.split(":", 1)[1] if ":" in topic else topic
        error_type = error if isinstance(error, str) else error_class(error)
        return cls(position, kind[:128], error_type[:128])

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> StoppedAt:
        """From a tracking row's `error` (an older release wrote free text: not shown)."""
        try:
            data = json.loads(text)
            position = data["event_position"]
            return cls(
                int(position) if position is not None else None,
                str(data["event_type"]) if data["event_type"] is not None else None,
                str(data["error_type"]),
            )
        except (ValueError, TypeError, KeyError):
            return cls(None, None, "unknown")

    def message(self, view: str) -> str:
        """One line for people: which view, which event, what kind of error, what to do."""
        if self.event_position is None:
            where = "at a batch it could not commit"
        else:
            where = f"before the event at position {self.event_position}"
            if self.event_type:
                where += f" ({self.event_type})"
        return (
            f"view {view!r} stopped {where}: {self.error_type}; the event is not skipped. "
            "See the log, then repair the event or fix the view (ADR 0019)"
        )


def error_class(error: BaseException) -> str:
    """The class of what went wrong: the driver's or Python's own error, not the wrapper
    SQLAlchemy puts around it (`StatementError`, `DataError` ... hold the SQL)."""
    original = getattr(error, "orig", None)
    return type(original if isinstance(original, BaseException) else error).__name__


class ViewStoppedError(UnavailableError):
    """Raised when a query needs a view that stopped at an event it cannot apply."""

    title = "View stopped"

    def __init__(self, view: str, stopped: StoppedAt) -> None:
        at = (
            f" at the event at position {stopped.event_position}"
            if stopped.event_position is not None
            else ""
        )
        super().__init__(
            f"The {view} view has stopped{at}, which it cannot apply; the operators see it "
            "in /readyz and can repair it. Other views still answer; try this again later"
        )
        self.view = view
        self.stopped = stopped
