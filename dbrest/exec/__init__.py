"""The execution stage: one `Backend` per database kind, chosen by the URI's scheme."""

from __future__ import annotations

from dbrest.config import DEMO_SQL, Config
from dbrest.exec.base import Backend


def make_backend(config: Config) -> Backend:
    if config.backend == "postgres":
        from dbrest.exec.postgres import PostgresBackend

        return PostgresBackend(config.db_uri, config.db_pool, config.db_pre_request,
                               config.db_pool_acquisition_timeout, config.app_settings)
    from dbrest.exec.sqlite import SqliteBackend

    return SqliteBackend(config.sqlite_path, config.db_pool, config.db_pool_acquisition_timeout,
                         config.sqlite_grants, config.db_pre_request,
                         seed=DEMO_SQL.read_text() if config.is_demo else None,
                         app_settings=config.app_settings,
                         functions=config.sqlite_functions)  # issue 10
