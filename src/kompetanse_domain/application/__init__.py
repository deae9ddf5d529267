"""The service layer: one use case per command of API.md (STYLE 4)."""

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.service import KompetanseApplication

__all__ = ["CommandContext", "KompetanseApplication", "Outcome"]
