"""Web pages (ADR 0023)."""
