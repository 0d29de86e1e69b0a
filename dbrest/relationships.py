"""Relationships between tables and views, derived once from the schema cache's keys.

Follows PostgREST's `SchemaCache` (`addO2MRels`, `addM2MRels`, view key dependencies):
every foreign key gives a to-one relationship from its table (many-to-one, or one-to-one
when its columns are also a primary or unique key) and the reverse one-to-many (or
one-to-one); a table whose primary key covers two foreign keys is a junction giving
many-to-many relationships between the tables they reference. Views inherit the
foreign keys of their base tables when they expose the key columns (`view_sources`), and
their base tables' primary keys (`addViewPrimaryKeys`), so a view can be a junction too.
Only relations of the exposed schemas (those in the cache's tables) take part: a view
over a table of a hidden schema relates to the other exposed views, not to that table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from dbrest.schema import ForeignKey, Routine, SchemaCache, Table

Cardinality = Literal["m2o", "o2m", "o2o", "m2m"]
QualifiedName = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Junction:
    schema: str
    table: str
    constraint1: str  # junction → origin
    constraint2: str  # junction → foreign table
    source_columns: tuple[tuple[str, str], ...]  # (junction column, origin column)
    target_columns: tuple[tuple[str, str], ...]  # (junction column, foreign column)


@dataclass(frozen=True, slots=True)
class Relationship:
    schema: str
    table: str
    foreign_schema: str
    foreign_table: str
    cardinality: Cardinality
    constraint: str
    columns: tuple[tuple[str, str], ...]  # (origin column, foreign column); empty for m2m
    is_self: bool = False
    foreign_is_view: bool = False
    junction: Junction | None = None
    # a computed relationship: the function (schema, name) taking the origin's row and
    # returning the foreign table's rows; embedded under the function's name
    function: tuple[str, str] | None = None

    @property
    def to_one(self) -> bool:
        return self.cardinality in ("m2o", "o2o")


def view_foreign_keys(cache: SchemaCache) -> list[ForeignKey]:
    """Foreign keys of base tables restated on the views that expose their columns."""
    exposures: dict[QualifiedName, list[tuple[QualifiedName, dict[str, str]]]] = {}
    for view, sources in cache.view_sources.items():
        by_table: dict[QualifiedName, dict[str, str]] = {}
        for view_col, (schema, table, col) in sources.items():
            by_table.setdefault((schema, table), {}).setdefault(col, view_col)
        for base, mapping in by_table.items():
            exposures.setdefault(base, []).append((view, mapping))

    def restated(table: QualifiedName,
                 cols: tuple[str, ...]) -> list[tuple[QualifiedName, tuple[str, ...]]]:
        out = [(table, cols)]
        for view, mapping in exposures.get(table, ()):
            if all(c in mapping for c in cols):
                out.append((view, tuple(mapping[c] for c in cols)))
        return out

    derived: list[ForeignKey] = []
    exposed = cache.tables.keys()
    for fk in cache.foreign_keys:
        for (o_schema, o_table), cols in restated((fk.schema, fk.table), fk.columns):
            for (r_schema, r_table), rcols in restated((fk.ref_schema, fk.ref_table),
                                                       fk.ref_columns):
                if (o_schema, o_table, r_schema, r_table) == (fk.schema, fk.table,
                                                               fk.ref_schema, fk.ref_table):
                    continue
                if (o_schema, o_table) not in exposed or (r_schema, r_table) not in exposed:
                    continue
                derived.append(ForeignKey(fk.name, o_schema, o_table, cols, r_schema, r_table,
                                          rcols))
    return derived


def _is_unique(cache: SchemaCache, schema: str, table: str, cols: tuple[str, ...]) -> bool:
    t = cache.table(schema, table)
    if t is None or t.is_view:
        return False
    keys = [t.primary_key, *t.unique_keys]
    return any(k and set(k) == set(cols) for k in keys)


def view_primary_key(cache: SchemaCache, schema: str, name: str) -> tuple[str, ...]:
    """A view's key: the view columns exposing its base tables' primary keys (PostgREST
    `addViewPrimaryKeys`), for each base table whose whole key the view exposes."""
    by_base: dict[QualifiedName, dict[str, str]] = {}
    for view_col, (b_schema, b_table, b_col) in cache.view_sources.get((schema, name),
                                                                       {}).items():
        by_base.setdefault((b_schema, b_table), {}).setdefault(b_col, view_col)
    key: list[str] = []
    for (b_schema, b_table), mapping in by_base.items():
        base = cache.table(b_schema, b_table)
        if base is not None and base.primary_key and all(c in mapping
                                                         for c in base.primary_key):
            key.extend(mapping[c] for c in base.primary_key)
    return tuple(key)


def _primary_key(cache: SchemaCache, schema: str, name: str) -> tuple[str, ...]:
    table = cache.table(schema, name)
    if table is None:
        return ()
    if table.is_view and not table.primary_key:
        return view_primary_key(cache, schema, name)
    return table.primary_key


_RANK = {"o2m": 0, "m2o": 1, "o2o": 2, "m2m": 3}


def sort_key(rel: Relationship) -> tuple[object, ...]:
    """PostgREST keeps each table's relationships sorted (`getOverrideRelationshipsMap`,
    the derived `Ord` of `Relationship`): foreign table, self flag, then the cardinality
    in constructor order (O2M, M2O, O2O, M2M) and its constraint or junction."""
    j = rel.junction
    detail = ((j.schema, j.table, j.constraint1, j.constraint2, j.source_columns,
               j.target_columns) if j is not None else (rel.constraint, rel.columns))
    return (rel.foreign_schema, rel.foreign_table, rel.is_self, _RANK[rel.cardinality],
            detail)


def build_relationships(cache: SchemaCache) -> dict[QualifiedName, tuple[Relationship, ...]]:
    rels: dict[QualifiedName, list[Relationship]] = {}

    def is_view(schema: str, table: str) -> bool:
        t = cache.table(schema, table)
        return t is not None and t.is_view

    def add(rel: Relationship) -> None:
        rels.setdefault((rel.schema, rel.table), []).append(rel)

    exposed = cache.tables.keys()
    fks = [fk for fk in (*cache.foreign_keys, *view_foreign_keys(cache))
           if (fk.schema, fk.table) in exposed and (fk.ref_schema, fk.ref_table) in exposed]
    for fk in fks:
        pairs = tuple(zip(fk.columns, fk.ref_columns, strict=False))
        is_self = (fk.schema, fk.table) == (fk.ref_schema, fk.ref_table)
        one_to_one = _is_unique(cache, fk.schema, fk.table, fk.columns)
        add(Relationship(fk.schema, fk.table, fk.ref_schema, fk.ref_table,
                         "o2o" if one_to_one else "m2o", fk.name, pairs, is_self,
                         is_view(fk.ref_schema, fk.ref_table)))
        add(Relationship(fk.ref_schema, fk.ref_table, fk.schema, fk.table,
                         "o2o" if one_to_one else "o2m", fk.name,
                         tuple((r, c) for c, r in pairs), is_self, is_view(fk.schema, fk.table)))
    by_table: dict[QualifiedName, list[ForeignKey]] = {}
    for fk in fks:
        by_table.setdefault((fk.schema, fk.table), []).append(fk)
    for (schema, name), table_fks in by_table.items():
        pk = set(_primary_key(cache, schema, name))
        if not pk:
            continue
        for fk1 in table_fks:
            for fk2 in table_fks:
                # Two different keys (not one key restated on a view) within the PK.
                if fk1.name == fk2.name or set(fk1.columns) == set(fk2.columns) or \
                        not (set(fk1.columns) | set(fk2.columns)) <= pk:
                    continue
                junction = Junction(schema, name, fk1.name, fk2.name,
                                    tuple(zip(fk1.columns, fk1.ref_columns, strict=False)),
                                    tuple(zip(fk2.columns, fk2.ref_columns, strict=False)))
                add(Relationship(fk1.ref_schema, fk1.ref_table, fk2.ref_schema, fk2.ref_table,
                                 "m2m", fk1.name, (),
                                 (fk1.ref_schema, fk1.ref_table) == (fk2.ref_schema, fk2.ref_table),
                                 is_view(fk2.ref_schema, fk2.ref_table), junction))
    return {key: tuple(sorted(value, key=sort_key)) for key, value in rels.items()}


def build_schema_cache(
        tables: dict[QualifiedName, Table], foreign_keys: tuple[ForeignKey, ...] = (),
        view_sources: Mapping[QualifiedName, dict[str, tuple[str, str, str]]] | None = None,
        routines: Mapping[QualifiedName, tuple[Routine, ...]] | None = None,
        computed: tuple[Relationship, ...] = ()) -> SchemaCache:
    """The schema cache of what introspection found, with its relationships derived
    (and the computed relationships introspection found among the functions)."""
    keys = SchemaCache(tables, foreign_keys, dict(view_sources or {}),
                       routines=dict(routines or {}))
    rels = {k: list(v) for k, v in build_relationships(keys).items()}
    for rel in computed:
        rels.setdefault((rel.schema, rel.table), []).append(rel)
    return replace(keys, relationships={k: tuple(v) for k, v in rels.items()})
