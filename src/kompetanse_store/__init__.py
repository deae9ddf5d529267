"""The event store's adapters: everything that knows SQLite or PostgreSQL (ADR 0002, 0018).

- `urls`: one database URL to the library's persistence settings and the views' URL;
- `sqlite_turns`, `postgres_schema`: the library's factories and recorders, subclassed
  (writers taking turns; tables created in turn; a lock timeout that gives up);
- `prefetching`: the event store that reads several cached aggregates in one statement;
- `check`: the start-up check that the cipher key reads the stored events (ADR 0010).

The domain (`kompetanse_domain`) imports none of this: `PERSISTENCE_MODULE` names the
factory, and the factory constructs the recorders and the event store. This package
imports the domain (its errors and event store base) and no API or projection code.
"""
