"""Domain representations (PostgreSQL): a domain's cast functions, called by dbrest.

PostgreSQL ignores casts whose source or target is a domain, so PostgREST calls their
functions itself (references/api/domain_representations.rst): domain → json where a column
is read, text → domain on filter values, json → domain on a write body's values (the last
in elements.py's `BodyRows`). The function names come from the catalog (schema.DomainCasts);
they are quoted, and the argument is cast to the parameter type so that overloads of one
name (`app_uuid(text)`, `app_uuid(json)`) resolve to the cast's function.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from dbrest.render.elements import COMPARISONS, _Element


def function_sql(compiler: Any, function: tuple[str, str]) -> str:
    qt = compiler.preparer.quote_identifier
    return f"{qt(function[0])}.{qt(function[1])}"


class DomainCall(_Element):
    """`function(value)`, the value cast to `arg_type` first (None: as it is); a list
    value (`in.(...)`) is the array of each item through the function."""

    def __init__(self, function: tuple[str, str], value: ColumnElement[Any],
                 arg_type: str | None, is_list: bool = False) -> None:
        self.function, self.value, self.arg_type, self.is_list = function, value, arg_type, is_list


@compiles(DomainCall)
def _domain_call(el: DomainCall, compiler: Any, **kw: Any) -> str:
    fn = function_sql(compiler, el.function)
    value = compiler.process(el.value, **kw)
    if el.is_list:
        return f"ARRAY(SELECT {fn}(_v) FROM unnest(CAST({value} AS TEXT[])) AS _v)"
    return f"{fn}({value if el.arg_type is None else f'CAST({value} AS {el.arg_type})'})"


class DomainQuantified(_Element):
    """`lhs <op> ANY|ALL (values through the text → domain function)`."""

    def __init__(self, lhs: ColumnElement[Any], op: str, values: DomainCall,
                 quantifier: str) -> None:
        self.lhs, self.operator, self.values, self.quantifier = lhs, op, values, quantifier


@compiles(DomainQuantified)
def _domain_quantified(el: DomainQuantified, compiler: Any, **kw: Any) -> str:
    quant = "ANY" if el.quantifier == "any" else "ALL"
    return (f"{compiler.process(el.lhs, **kw)} {COMPARISONS[el.operator]} "
            f"{quant}({compiler.process(el.values, **kw)})")
