"""Wiring: the one place that builds the process's services (STYLE 1, ADR 0008).

One `KompetanseApplication` per process (each opens its own PostgreSQL pool), the
catalogue with imported plans from `<data dir>/catalogue`, the projections
(running in this process unless `KOMPETANSE_PROJECTIONS=external`), the
attachment store, and in dev mode the dev key pair. With `KOMPETANSE_CIPHER_KEY` the
stored events and snapshots are encrypted (ADR 0010); before anything else runs, the
first and the last stored event are decoded, so a wrong or missing key stops the
start-up with `StoreUnreadableError` instead of failing later. Before the store is
opened, the data directory and the SQLite files are made private (0700/0600,
`kompetanse.private_files`).
"""

from __future__ import annotations

from api.attachments import AttachmentStore
from api.auth import TokenVerifier
from api.deps import Services
from api.settings import Settings
from api.store_health import StoreHealth
from kompetanse.devkeys import ensure_dev_keys
from kompetanse.private_files import make_data_private
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.application.repairs import refresh_repairs
from kompetanse_domain.catalogue import load_catalogue
from kompetanse_store.check import check_store_readable
from kompetanse_store.urls import event_store_env, views_database_url
from projections.notifications.config import NotificationSettings
from projections.notifications.service import NotificationService
from projections.service import ProjectionService, StaleViewsError


def build_application(settings: Settings, *, check: bool = True) -> KompetanseApplication:
    """The one application of this process, on the configured store (ADR 0002, 0010).

    With `check`, the first and last stored events must decode with the configured
    cipher key (or none): a wrong key stops the process instead of serving garbage.
    """
    make_data_private(settings)  # before the library creates the SQLite files
    application = KompetanseApplication(
        env=event_store_env(
            settings.database_url,
            cipher_key=settings.cipher_key,
            aggregate_cache=settings.aggregate_cache,
        ),
        catalogue=load_catalogue(extra_dir=settings.catalogue_dir),
    )
    _reconnect_promptly(application)
    if check:
        try:
            check_store_readable(application)
            refresh_repairs(application)  # stored events read repaired (ADR 0019)
        except BaseException:
            application.close()
            raise
    return application


# PostgreSQL: how long the store's pool keeps retrying a lost connection in the background
# (psycopg_pool's default is 5 minutes, waiting 1, 2, 4, 8 ... s between tries, so a
# request after an outage waited for the next try). Given up sooner, the pool starts a
# fresh attempt when a request asks for a connection, and it connects at once (ADR 0015).
RECONNECT_GIVE_UP_SECONDS = 5.0


def _reconnect_promptly(application: KompetanseApplication) -> None:
    pool = getattr(getattr(application.recorder, "datastore", None), "pool", None)
    if pool is not None and hasattr(pool, "reconnect_timeout"):
        pool.reconnect_timeout = RECONNECT_GIVE_UP_SECONDS


def build_services(settings: Settings) -> Services:
    """Everything a running portal needs, started."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.dev_mode:
        ensure_dev_keys(settings.data_dir)
    application = build_application(settings)
    projections = ProjectionService(application, views_database_url(settings.database_url))
    try:
        projections.check_not_stale()  # views an older release built are never served
    except StaleViewsError:
        projections.close()
        application.close()
        raise
    try:
        notifications = build_notifications(settings, application)
    except BaseException:
        projections.close()
        application.close()
        raise
    if settings.projections == "inline":
        projections.start()
        notifications.start()  # the embedded default: notifications in threads here too
    return Services(
        application=application,
        projections=projections,
        settings=settings,
        attachments=AttachmentStore(settings.attachments_dir),
        tokens=TokenVerifier(settings.tokens()),
        store=StoreHealth.for_store(settings.database_url),
        notifications=notifications,
    )


def build_notifications(
    settings: Settings, application: KompetanseApplication
) -> NotificationService:
    """The notification process's parts (R31, ADR 0025), not started; the application
    derives invitations' secrets from the same key, so their e-mails carry the link."""
    notification_settings = NotificationSettings.from_env(settings.data_dir)
    application.invitation_key = notification_settings.invitation_key()
    return NotificationService(
        application, views_database_url(settings.database_url), notification_settings
    )


def close_services(services: Services) -> None:
    """Stop the projections, then close the views' and the store's connections."""
    if services.notifications is not None:
        services.notifications.close()
    services.projections.close()
    services.application.close()
