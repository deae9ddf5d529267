"""Settings from the environment; defined in `api.settings` so the API can read them."""

from __future__ import annotations

from api.settings import DEV_AUDIENCE, DEV_ISSUER, Settings, SettingsError, TokenSettings

__all__ = ["DEV_AUDIENCE", "DEV_ISSUER", "Settings", "SettingsError", "TokenSettings"]
