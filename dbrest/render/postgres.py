"""PostgreSQL's rendering profile.

Values are bound as text and cast in SQL to the compared column's type, as PostgREST
sends unknown-typed literals: the database, not dbrest, decides what `eq.abc` means for
an integer column (and answers 22P02 when it means nothing). The elements' default
renderings (elements.py) are PostgreSQL's, so this profile overrides none.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from dbrest.render.dialect import Capabilities, Dialect
from dbrest.render.values import POSTGRES_CONVERTERS

PG_SOURCE = "pgrst_source"  # PostgREST's name for the rows a write returned

POSTGRES = Dialect(
    name="postgresql",
    sa_dialect=postgresql.dialect(paramstyle="numeric_dollar"),  # type: ignore[no-untyped-call]
    caps=Capabilities(range_operators=True, full_text_search=True, planned_count=True,
                      schemas=True, dml_in_cte=True, functions=True),
    converters=POSTGRES_CONVERTERS,
    mutated_source=lambda table: PG_SOURCE,
    insert=postgresql.insert,
)
