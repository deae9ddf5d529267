"""The projection engine: follows the store and applies its events to the views (ADR 0004).

A view author needs only `base` and `tables`; the rest (reading the store, batching,
pending rows, statements, tracking, rebuilds, stopping and resuming) is the engine's.

A view is a module in `projections/views/` (with its tables in `<view>_tables.py`):

- a subclass of `base.ViewProjection[T]` with a unique `name`, given as a class keyword
  (`class LeaderView(ViewProjection[LeaderTables], name="leader")`; its tracking row and
  `kompetanse projections rebuild NAME` use it) and `define(md, generation) -> T`, a
  frozen dataclass of its `Table`s built with `tables.table(md, base, generation, ...)`
  (so every generation gets its own `view_<base>_g<generation>` names), indexes with
  `tables.index`, columns typed with `tables.ID`, `UTCDateTime`, ...
  (`projections.views.columns.Tables` defines a table in a line from column names);
- `process_event = base.event_handlers()` (a `singledispatchmethod` that does nothing)
  and one handler per event class, registered with `@process_event.register` and named
  after the event (`LearningGoal.Opened` -> `goal_opened`). Events without a handler
  change nothing; their position is tracked all the same;
- handlers write only through `tx` (`base.ViewTx`): `insert`, `update`, `add`,
  `add_or_insert`, `replace`, `delete`, `value`, `row`, `exists`, addressing rows by their primary
  key; `tx.t` is this generation's tables. Rows are kept in memory for the batch and
  written at its end, and reads see the batch's own writes. Rows hold only what the
  event says (`event.timestamp`, never the clock), so a rebuilt view equals a followed
  one.

The engine commits a view's rows and its tracking position in one transaction: an
event is applied exactly once, crash or not. A handler that raises stops that view
alone, before the event, which is never skipped; the other views go on, and `/readyz`
names the event's position and type and the error's class (ADR 0019) until
`kompetanse projections repair|resume`. A lost database is retried instead.

To add a view, list it in `projections.views.all_views()`: its tables are created at
start-up and filled from position 0. Changing a view's tables or handlers needs
`kompetanse projections rebuild NAME` (a start-up refuses a view whose table shape
changed). Queries read its tables in `projections/queries/`.
"""
