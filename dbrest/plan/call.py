"""Planning an RPC call: `ApiRequest` (`/rpc/<fn>`) + `SchemaCache` → `PlannedCall`.

PostgREST `Plan.callReadPlan`: choose the overload by the set of argument names
(`findProc`, PGRST202/PGRST203), keep the parameters that were given (so the SQL depends
only on which names were sent), gather the arguments into ONE JSON value, and plan the
read of the rows a composite-returning function gives through the ordinary read planner
(`plan_node` over the returned table, so `select=`, filters, order, range and embedding
work as on the table). GET/HEAD run read-only; POST too when the function is STABLE or
IMMUTABLE.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from dbrest import jsontext
from dbrest.errors import AmbiguousFunction, FunctionNotFound, MaxAffectedRpcViolation
from dbrest.parse import ast
from dbrest.parse.rpc import RpcCall
from dbrest.plan.context import DEFAULT_OPTIONS, Context, PlanOptions
from dbrest.plan.negotiate import negotiate
from dbrest.plan.nodes import check_paths, plan_node
from dbrest.plan.preferences import check_preferences, preference_applied
from dbrest.plan.types import CallPlan as CallPlan  # defined with the other plans
from dbrest.plan.types import PlannedRequest
from dbrest.schema import Routine, RoutineParam, SchemaCache, Table

# A single unnamed parameter takes the raw body when its type fits the Content-Type.
_RAW_TYPES = {"application/json": ("json", "jsonb"), "text/plain": ("text",),
              "text/xml": ("xml",), "application/octet-stream": ("bytea",)}


@dataclass(frozen=True, slots=True)
class PlannedCall:
    planned: PlannedRequest  # `.plan` is the CallPlan
    readonly: bool
    rollback: bool
    max_affected: int | None
    volatile: bool = False  # VOLATILE: a GET call of it stays on the primary (routing.py)


def plan_call(api: ast.ApiRequest, cache: SchemaCache,
              options: PlanOptions = DEFAULT_OPTIONS) -> PlannedCall:
    assert api.rpc is not None
    check_preferences(api)
    prefs = api.preferences
    single_object = prefs.params == "single-object"
    routine = find_routine(cache, api.schema, api.resource, api.rpc, single_object,
                           api.method == "POST")
    if prefs.handling == "strict" and prefs.max_affected is not None \
            and not routine.returns_set:
        raise MaxAffectedRpcViolation()
    ctx = Context(api, cache, options)
    args, positional, value = call_arguments(routine, api.rpc, single_object)
    body = ctx.values.add(value) if value is not None else None
    read = None
    if routine.returns == "composite":
        table = result_table(cache, routine)
        read = plan_node(ctx, table, "t", api.query.select, frozenset({()}))
        read = replace(read, mutated=True)
        check_paths(ctx)
    output, content_type, strip_nulls = negotiate(api.accept)
    plan = CallPlan(routine.schema, routine.name, args, positional, body, routine.returns,
                    routine.returns_set, read, output, strip_nulls, prefs.count is not None,
                    routine.declared)
    planned = PlannedRequest(
        plan=plan, values=tuple(ctx.values.items),  # type: ignore[arg-type]
        offset=api.top_range.offset, content_type=content_type, method=api.method,
        schema=api.schema, profile_header=api.profile_requested, table=routine.name,
        preference_applied=preference_applied(api, timezones=cache.timezones))
    readonly = api.method != "POST" or routine.volatility in ("s", "i")
    max_affected = prefs.max_affected if prefs.handling == "strict" else None
    return PlannedCall(planned, readonly, api.rollback, max_affected,
                       routine.volatility == "v")


def result_table(cache: SchemaCache, routine: Routine) -> Table:
    """The table or view whose rows the function returns (its relationships embed), or a
    table made of the result's columns (`RETURNS TABLE(...)`, a composite type)."""
    if routine.return_table is not None:
        table = cache.table(*routine.return_table)
        if table is not None:
            return table
    return Table(routine.schema, routine.name, routine.return_columns)


# -- which function -------------------------------------------------------------------------

def find_routine(cache: SchemaCache, schema: str, name: str, rpc: RpcCall,
                 single_object: bool, is_post: bool) -> Routine:
    """PostgREST `findProc`: overloads whose parameters the argument names fit; else the
    one with a single unnamed parameter of a type the body's media type fits."""
    keys = rpc.keys
    overloads: tuple[Routine, ...] = cache.routines.get((schema, name), ())
    matches = [r for r in overloads if _fits(r, keys, single_object, rpc.media, is_post)]
    fallback = [r for r in overloads
                if not _fits(r, keys, single_object, rpc.media, is_post)
                and _single_unnamed(r, rpc.media, is_post)]
    if len(matches) == 1 or (not matches and len(fallback) == 1):
        return (matches or fallback)[0]
    if matches or fallback:
        listed = ", ".join(f"{r.schema}.{r.name}({r.signature()})" for r in matches or fallback)
        raise AmbiguousFunction(
            f"Could not choose the best candidate function between: {listed}",
            hint="Try renaming the parameters or the function itself in the database so "
                 "function overloading can be resolved")
    raise not_found(cache, schema, name, sorted(keys), rpc.media, is_post, overloads)


def _fits(r: Routine, keys: frozenset[str], single_object: bool, media: str,
          is_post: bool) -> bool:
    if single_object:
        return len(r.params) == 1 and r.params[0].type in ("json", "jsonb")
    if not r.params:
        return not keys and not (is_post and media in (
            "application/octet-stream", "text/plain", "text/xml"))
    required = {p.name for p in r.params if p.required}
    optional = {p.name for p in r.params if not p.required}
    return keys - optional == required


def _single_unnamed(r: Routine, media: str, is_post: bool) -> bool:
    return (is_post and len(r.params) == 1 and r.params[0].name == ""
            and r.params[0].type in _RAW_TYPES.get(media, ()))


def not_found(cache: SchemaCache, schema: str, name: str, keys: list[str], media: str,
              is_post: bool, overloads: tuple[Routine, ...]) -> FunctionNotFound:
    """PGRST202 worded as PostgREST's `NoRpc`, with its fuzzy "Perhaps you meant" hint."""
    raw_only = is_post and media in ("text/plain", "text/xml", "application/octet-stream")
    func = f"{schema}.{name}"
    listed = f"({', '.join(keys)})" if keys else " without parameters"
    message = f"Could not find the function {func}{'' if raw_only else listed} in the schema cache"
    with_params = (f" with parameter{'s' if len(keys) > 1 else ''} {', '.join(keys)}"
                   if keys else " without parameters")
    single = {"text/plain": "text", "text/xml": "xml", "application/octet-stream": "bytea"}
    if raw_only:
        searched = f" with a single unnamed {single[media]} parameter"
    elif is_post and media == "application/json":
        searched = with_params + " or with a single unnamed json/jsonb parameter"
    else:
        searched = with_params
    details = (f"Searched for the function {func}{searched}, but no matches were found in "
               "the schema cache.")
    return FunctionNotFound(message, details,
                            None if raw_only else _hint(cache, schema, name, keys, overloads))


def _hint(cache: SchemaCache, schema: str, name: str, keys: list[str],
          overloads: tuple[Routine, ...]) -> str | None:
    # PostgREST uses a fuzzy set (0.75 for names, 0.33 for parameter lists); difflib's
    # ratio is a close, simple stand-in.
    if not overloads:
        names = [n for s, n in cache.routines if s == schema]
        best = _closest(name, names, 0.75)
        return None if best is None else f"Perhaps you meant to call the function {schema}.{best}"
    lists = [f"({', '.join(sorted(p.name for p in r.params))})" for r in overloads]
    best = _closest(f"({', '.join(keys)})", lists, 0.33)
    return None if best is None else f"Perhaps you meant to call the function {schema}.{name}{best}"


def _closest(word: str, candidates: list[str], cutoff: float) -> str | None:
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None


# -- the arguments ----------------------------------------------------------------------------

def call_arguments(routine: Routine, rpc: RpcCall, single_object: bool
                   ) -> tuple[tuple[RoutineParam, ...], str | None, str | None]:
    """(named parameters passed, positional type, the one value bound)."""
    if single_object or (len(routine.params) == 1 and routine.params[0].name == ""
                         and rpc.kind in ("json", "raw")):
        param = routine.params[0]
        if param.type == "bytea":  # bytea's text input reads `\x` + hex
            return (), param.type, "\\x" + rpc.raw.hex()
        raw = rpc.raw.decode("utf-8", "replace")
        if rpc.kind == "json" and not rpc.raw.strip():
            raw = "{}"
        return (), param.type, raw
    keys = rpc.keys
    args = tuple(p for p in routine.params if p.name in keys)
    if not args:
        return (), None, None
    if rpc.kind == "json":
        return args, None, jsontext.dumps(rpc.json)
    by_name = {p.name: p for p in args}
    obj: dict[str, object] = {}
    for key, values in rpc.pairs:
        given = by_name.get(key)
        if given is None:
            continue
        # repeated keys: an array for variadic and array parameters, else the last value
        many = given.variadic or (given.is_array and len(values) > 1)
        obj[key] = list(values) if many else values[-1]
    return args, None, jsontext.dumps(obj)


def rpc_allow(cache: SchemaCache, api: ast.ApiRequest) -> str:
    """OPTIONS on `/rpc/fn`: the `Allow` value, `OPTIONS,POST` for a VOLATILE function,
    else GET and HEAD too (PostgREST `Response.hs`); no transaction."""
    assert api.rpc is not None
    overloads = cache.routines.get((api.schema, api.resource), ())
    if not overloads:
        raise not_found(cache, api.schema, api.resource, sorted(api.rpc.keys), "", False, ())
    try:
        routine = find_routine(cache, api.schema, api.resource, api.rpc, False, False)
    except (FunctionNotFound, AmbiguousFunction):
        routine = overloads[0]
    return "OPTIONS,POST" if routine.volatility == "v" else "OPTIONS,GET,HEAD,POST"
