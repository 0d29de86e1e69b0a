"""`HttpRequest` → `ApiRequest`: the resource, schema, query parameters and headers.

Pure: no schema cache. Decides what PostgREST's `ApiRequest.userApiRequest` decides —
the target path, the schema from the profile headers, the top-level range — and raises
PGRST1xx errors for what is malformed.
"""

from __future__ import annotations

from dbrest.errors import (
    InvalidRange,
    InvalidResourcePath,
    InvalidRpcMethod,
    InvalidSchema,
    UnsupportedMethod,
)
from dbrest.http import HttpRequest
from dbrest.parse.ast import ApiRequest, Range
from dbrest.parse.body import parse_payload
from dbrest.parse.headers import intersect, parse_accept, parse_prefer, parse_range
from dbrest.parse.query_params import parse_query_params
from dbrest.parse.rpc import RpcCall, group_pairs, parse_rpc_body, split_rpc_query

METHODS = frozenset({"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RPC_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})


def rpc_name(path: str) -> str | None:
    """`/rpc/fn` → 'fn' (PostgREST's `TargetProc`); anything else → None."""
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) == 2 and parts[0] == "rpc" else None


def resource_of(path: str) -> str | None:
    """`/books` → 'books'; `/` → None; anything nested is PGRST125."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if len(parts) > 1:
        raise InvalidResourcePath()
    return parts[0]


def parse_schema(req: HttpRequest, schemas: tuple[str, ...]) -> tuple[str, bool]:
    # Writes name their schema in Content-Profile, anything else in Accept-Profile.
    header = "content-profile" if req.method in WRITE_METHODS else "accept-profile"
    wanted = req.header(header)
    if wanted is None:
        return schemas[0], len(schemas) > 1
    if wanted not in schemas:
        raise InvalidSchema(f"Invalid schema: {wanted}",
                            hint=f"Only the following schemas are exposed: {', '.join(schemas)}")
    return wanted, True


def parse_tx(prefer_tx: str | None, tx_end: str) -> tuple[bool, bool]:
    """(rollback?, tx preference allowed?) from `db_tx_end` and `Prefer: tx=`."""
    allowed = tx_end.endswith("allow-override")
    rollback = tx_end.startswith("rollback")
    if allowed and prefer_tx is not None:
        rollback = prefer_tx == "rollback"
    return rollback, allowed


def parse_request(req: HttpRequest, schemas: tuple[str, ...],
                  tx_end: str = "commit") -> ApiRequest:
    # PostgREST's order of checks: path (PGRST125), schema (PGRST106), method (PGRST117),
    # query string (PGRST100), ranges (PGRST103).
    function = rpc_name(req.path)
    resource = function if function is not None else resource_of(req.path)
    schema, profiled = parse_schema(req, schemas)
    allowed = METHODS if resource is not None else READ_METHODS  # `/` is read-only
    if req.method not in allowed:
        raise UnsupportedMethod(f"Unsupported HTTP method: {req.method}")
    if function is not None and req.method not in RPC_METHODS:
        raise InvalidRpcMethod(f"Cannot use the {req.method} method on RPC")
    pairs = req.query
    if resource is None:  # `/?openapi=3.1` asks for a document version (dbrest/openapi)
        pairs = tuple(p for p in pairs if p[0] != "openapi")
    if function is not None:  # RPC: arguments in the query string are not filters
        args, pairs = split_rpc_query(req.query)
    query = parse_query_params(pairs)
    root = dict(query.ranges).get((), Range())
    if root.limit is not None and root.limit < 0:
        raise InvalidRange("Limit should be greater than or equal to zero.")
    header_range = parse_range(req.header("range")) if req.method == "GET" else None
    if header_range is not None and header_range[1] is not None \
            and header_range[0] > header_range[1]:
        raise InvalidRange("The lower boundary must be lower than or equal to the upper "
                           "boundary in the Range header.")
    prefs = parse_prefer(req.header_all("prefer"))
    payload = None
    rpc = None
    if function is not None:
        rpc = (parse_rpc_body(req.header("content-type"), req.body,
                              prefs.params == "single-object", query.columns)
               if req.method == "POST" else RpcCall("pairs", pairs=group_pairs(args)))
    elif req.method in ("POST", "PATCH", "PUT") and resource:
        payload = parse_payload(req.header("content-type"), req.body, query.columns)
    rollback, tx_allowed = parse_tx(prefs.tx, tx_end)
    return ApiRequest(
        method=req.method, schema=schema, resource=resource or "", query=query,
        top_range=intersect(root, header_range), preferences=prefs,
        accept=parse_accept(req.header("accept")), profile_requested=profiled,
        payload=payload, rollback=rollback, tx_allowed=tx_allowed, rpc=rpc,
    )
