"""The table or view a request addresses (PGRST205 when the cache has none)."""

from __future__ import annotations

from dbrest.errors import TableNotFound
from dbrest.parse import ast
from dbrest.schema import SchemaCache, Table


def resolve_table(api: ast.ApiRequest, cache: SchemaCache) -> Table:
    table = cache.table(api.schema, api.resource)
    if table is None:
        raise TableNotFound(
            f"Could not find the table '{api.schema}.{api.resource}' in the schema cache")
    return table
