"""The one error hierarchy of dbrest, and its mapping to HTTP.

Every stage raises only `DbrestError` subclasses; `error_body` and `DbrestError.status`
are the single place where an error becomes a PostgREST-style response
(`{"code","message","details","hint"}`, docs/references/errors.rst). Codes and statuses
follow PostgREST's `Error.hs`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson


class DbrestError(Exception):
    """Base of every error that reaches the client."""

    code: ClassVar[str] = "PGRSTX00"
    status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        details: Any = None,
        hint: str | None = None,
        *,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.hint = hint
        self.headers = headers

    def error_code(self) -> str:
        return self.code

    def http_status(self) -> int:
        return self.status

    def payload(self) -> dict[str, Any]:
        return {"code": self.error_code(), "details": self.details, "hint": self.hint,
                "message": self.message}


def error_body(err: DbrestError) -> bytes:
    return orjson.dumps(err.payload())


# -- connection / schema cache (PGRST0xx) -------------------------------------------------

class ConnectionError_(DbrestError):
    code = "PGRST000"
    status = 503

    def __init__(self, message: str, details: Any = None, hint: str | None = None) -> None:
        # transient: tell the client when to try again, as PostgREST does
        super().__init__(message, details, hint, headers=(("retry-after", "1"),))


class PoolTimeout(DbrestError):
    code = "PGRST003"
    status = 504


# -- request errors (PGRST1xx) ------------------------------------------------------------

class ApiRequestError(DbrestError):
    status = 400


class ParseError(ApiRequestError):
    """PGRST100: the query string does not follow PostgREST's grammar."""

    code = "PGRST100"


class InvalidRpcMethod(ApiRequestError):
    code = "PGRST101"
    status = 405


class InvalidBody(ApiRequestError):
    code = "PGRST102"


class BodyTooLarge(ApiRequestError):
    """A body beyond `server_max_body_size` (PostgREST has no limit; the code is its
    invalid-body one, the status HTTP's)."""

    code = "PGRST102"
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__("Request body too large",
                         f"The body exceeds server-max-body-size ({limit} bytes)",
                         "Send a smaller body, or raise server-max-body-size")


class InvalidRange(ApiRequestError):
    code = "PGRST103"
    status = 416

    def __init__(self, details: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__("Requested range not satisfiable", details, headers=headers)


class InvalidFilters(ApiRequestError):
    code = "PGRST105"
    status = 405


class PgrstRaiseError(DbrestError):
    code = "PGRST121"
    status = 500


class GucHeadersError(DbrestError):
    code = "PGRST111"
    status = 500


class GucStatusError(DbrestError):
    code = "PGRST112"
    status = 500


class PutLimitNotAllowed(ApiRequestError):
    code = "PGRST114"


class PutMismatch(ApiRequestError):
    code = "PGRST115"


class InvalidSchema(ApiRequestError):
    code = "PGRST106"
    status = 406


class NotAcceptable(ApiRequestError):
    code = "PGRST107"
    status = 406


class NotEmbedded(ApiRequestError):
    code = "PGRST108"


class SingularityError(ApiRequestError):
    code = "PGRST116"
    status = 406

    def __init__(self, count: int) -> None:
        super().__init__("Cannot coerce the result to a single JSON object",
                         f"The result contains {count} rows")


class UnsupportedMethod(ApiRequestError):
    code = "PGRST117"
    status = 405


class RelatedOrderNotToOne(ApiRequestError):
    code = "PGRST118"


class UnacceptableFilter(ApiRequestError):
    code = "PGRST120"


class InvalidPreferences(ApiRequestError):
    code = "PGRST122"


class AggregatesNotAllowed(ApiRequestError):
    """PGRST123: an aggregate in `select` while db_aggregates_enabled is off."""

    code = "PGRST123"

    def __init__(self) -> None:
        super().__init__("Use of aggregate functions is not allowed")


class MaxAffectedViolation(ApiRequestError):
    code = "PGRST124"

    def __init__(self, count: int) -> None:
        super().__init__("Query result exceeds max-affected preference constraint",
                         f"The query affects {count} rows")


class InvalidResourcePath(ApiRequestError):
    code = "PGRST125"
    status = 404

    def __init__(self) -> None:
        super().__init__("Invalid path specified in request URL")


class OpenApiDisabled(ApiRequestError):
    code = "PGRST126"
    status = 404


class NotImplementedOnBackend(ApiRequestError):
    """PGRST127: a feature this backend cannot do; details say which."""

    code = "PGRST127"

    def __init__(self, details: str) -> None:
        super().__init__("Feature not implemented", details)


# -- schema cache lookups (PGRST2xx) -----------------------------------------------------

class NoRelationship(ApiRequestError):
    code = "PGRST200"


class AmbiguousRelationship(ApiRequestError):
    code = "PGRST201"
    status = 300


class ColumnNotFound(ApiRequestError):
    code = "PGRST204"


class TableNotFound(ApiRequestError):
    code = "PGRST205"
    status = 404


class UndefinedColumn(ApiRequestError):
    """42703 raised by the planner, as PostgreSQL itself would answer it."""

    code = "42703"


class DuplicateAlias(ApiRequestError):
    """42712 raised by the planner: two embeds of one node under the same name give
    PostgREST's query two joins with one alias, which PostgreSQL refuses this way."""

    code = "42712"


# -- auth (PGRST3xx) -----------------------------------------------------------------------

class JwtDecodeError(DbrestError):
    code = "PGRST301"
    status = 401


class AnonymousDisabled(DbrestError):
    code = "PGRST302"
    status = 401

    def __init__(self) -> None:
        super().__init__("Anonymous access is disabled",
                         headers=(("www-authenticate", "Bearer"),))


class JwtClaimsError(DbrestError):
    code = "PGRST303"
    status = 401


class NoJwtSecret(DbrestError):
    code = "PGRST300"
    status = 500

    def __init__(self) -> None:
        super().__init__("Server lacks JWT secret")


# -- database errors --------------------------------------------------------------------------

class DatabaseError(DbrestError):
    """An error the database raised; `code` is its SQLSTATE, status mapped in exec/."""

    def __init__(self, sqlstate: str, status: int, message: str, details: Any = None,
                 hint: str | None = None,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message, details, hint, headers=headers)
        self._code = sqlstate
        self._status = status

    def error_code(self) -> str:
        return self._code

    def http_status(self) -> int:
        return self._status


class UndefinedFunction(ApiRequestError):
    """42883 raised by the planner (an operator the column's type lacks), as PostgreSQL
    answers it; PostgREST maps 42883 to 404."""

    code = "42883"
    status = 404


class UndefinedObject(ApiRequestError):
    """42704: a cast to a type the planner does not know, as PostgreSQL answers it."""

    code = "42704"


# -- RPC (functions) ------------------------------------------------------------------------

class FunctionNotFound(ApiRequestError):
    code = "PGRST202"
    status = 404


class AmbiguousFunction(ApiRequestError):
    code = "PGRST203"
    status = 300


class MaxAffectedRpcViolation(ApiRequestError):
    code = "PGRST128"

    def __init__(self) -> None:
        super().__init__("Function must return SETOF or TABLE when max-affected preference "
                         "is used with handling=strict")
