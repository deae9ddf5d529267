"""The event-sourced domain model: aggregates, their events and the rules R1-R19."""
