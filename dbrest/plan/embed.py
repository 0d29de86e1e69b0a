"""Choosing the relationship an embed follows (PostgREST `Plan.findRel`).

`/origin?select=target!hint(...)`: the target names a table or view (or, deprecated, a
foreign-key constraint or column); the hint narrows by constraint, column or junction.
None found is PGRST200, several is PGRST201 with the candidates, as PostgREST words them.
"""

from __future__ import annotations

from dbrest.errors import AmbiguousRelationship, NoRelationship
from dbrest.relationships import Relationship
from dbrest.schema import SchemaCache

_CARDINALITY = {"m2o": "many-to-one", "o2m": "one-to-many", "o2o": "one-to-one",
                "m2m": "many-to-many"}


def _single(cols: tuple[tuple[str, str], ...], side: int) -> str | None:
    return cols[0][side] if len(cols) == 1 else None


def _matches(rel: Relationship, target: str, hint: str | None) -> bool:
    if rel.function is not None:  # a computed relationship goes by its function's name
        return hint is None and target == rel.function[1]
    origin_col = _single(rel.columns, 0)
    foreign_col = _single(rel.columns, 1)
    if rel.is_self and rel.cardinality != "m2m":
        if hint is None:
            # /employees?select=employees(*) is the one-to-many; /employees?select=manager_id(*)
            # (the FK column) the many-to-one.
            return (target == rel.foreign_table and rel.cardinality == "o2m") or (
                target == origin_col and rel.cardinality == "m2o")
        return target == rel.foreign_table and rel.cardinality == "o2m" and hint == foreign_col
    if hint is None:
        return target == rel.foreign_table or (
            not rel.foreign_is_view and rel.cardinality != "m2m"
            and target in (rel.constraint, origin_col))
    if target != rel.foreign_table:
        return False
    if rel.cardinality == "m2m":
        return rel.junction is not None and hint == rel.junction.table
    return hint in (rel.constraint, origin_col, foreign_col)


def find_relationship(cache: SchemaCache, schema: str, origin: str, target: str,
                      hint: str | None) -> Relationship:
    # Relations of the request's schema first (PostgREST looks relationships up by origin
    # *and* foreign schema, so a same-named relation elsewhere never competes); another
    # exposed schema's only when none matches (dbrest embeds across exposed schemas).
    # In the cache's order, which PGRST201 lists candidates in.
    matching: list[Relationship] = [
        rel for rel in cache.relationships.get((schema, origin), ())
        if _matches(rel, target, hint)]
    candidates = [rel for rel in matching if rel.foreign_schema == schema] or matching
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        using = f"' using the hint '{hint}" if hint else ""
        raise NoRelationship(
            f"Could not find a relationship between '{origin}' and '{target}' in the schema cache",
            f"Searched for a foreign key relationship between '{origin}' and '{target}{using}' "
            f"in the schema '{schema}', but no matches were found.")
    hints = ", ".join(f"'{rel.foreign_table}!{_hint_name(rel)}'" for rel in candidates)
    raise AmbiguousRelationship(
        f"Could not embed because more than one relationship was found for '{origin}' and "
        f"'{target}'",
        [_describe(rel) for rel in candidates],
        f"Try changing '{target}' to one of the following: {hints}. Find the desired "
        "relationship in the 'details' key.")


def _hint_name(rel: Relationship) -> str:
    return rel.junction.table if rel.junction is not None else rel.constraint


def _describe(rel: Relationship) -> dict[str, str]:
    if rel.junction is not None:
        j = rel.junction
        how = (f"{j.table} using {j.constraint1}({', '.join(c for c, _ in j.source_columns)}) "
               f"and {j.constraint2}({', '.join(c for c, _ in j.target_columns)})")
    else:
        how = (f"{rel.constraint} using {rel.table}({', '.join(c for c, _ in rel.columns)}) "
               f"and {rel.foreign_table}({', '.join(c for _, c in rel.columns)})")
    return {"cardinality": _CARDINALITY[rel.cardinality],
            "embedding": f"{rel.table} with {rel.foreign_table}", "relationship": how}
