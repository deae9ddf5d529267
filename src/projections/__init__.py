"""The read side: projections of the domain events into SQL view tables (ADR 0004).

`ProjectionService` (projections.service) follows the event store with one polling
loop, applies each batch of events to a view in one transaction together with
that view's tracking position, serves plain-SQL queries (`projections.queries`),
and rebuilds a view from scratch behind the back of running queries. The views
are in `projections.views`; the machinery that applies events to them (follower,
tracking, pending rows, rebuild) is `projections.engine`, whose docstring says what
a view author must know. This package imports the domain, never the API or CLI.
"""
