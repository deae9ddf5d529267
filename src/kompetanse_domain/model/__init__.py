"""The event-sourced domain model: aggregates, their events and the rules R1-R19."""

# ADR 0026: the plan-version events must resolve by topic in every process
from kompetanse_domain.model import plan_versions as plan_versions
