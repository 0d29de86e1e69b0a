"""RPC results → `HttpResponse` (PostgREST `Response.hs` for `ActionInvoke`).

A set is answered as a read (Content-Range, range status, CSV, singular object); a
scalar is its bare JSON value; a single composite is an object; `void` is 204 with no
body. `max-affected` and a non-singular `vnd.pgrst.object` were refused inside the
transaction by exec (`WriteChecks`, planned in plan/request.py).
"""

from __future__ import annotations

from dbrest.exec.base import ReadResult
from dbrest.http import HttpResponse
from dbrest.plan.call import CallPlan, PlannedCall
from dbrest.plan.types import PlannedRequest
from dbrest.serialize import preference_applied, serialize_read


def serialize_call(call: PlannedCall, result: ReadResult) -> HttpResponse:
    planned = call.planned
    plan = planned.plan
    assert isinstance(plan, CallPlan)
    if plan.returns == "void":
        headers = tuple(_headers(planned))
        return HttpResponse(204, headers, b"")
    if plan.returns_set and (plan.read is not None or plan.output != "csv"):
        return serialize_read(planned, result)
    # one value: a scalar as is, a composite as the object (not an array of one)
    body = result.body
    if plan.returns == "composite":
        body = body.strip()[1:-1] or "null"
    headers = (("content-type", planned.content_type),
               *_headers(planned))
    return HttpResponse(200, headers, b"" if planned.method == "HEAD" else body.encode())


def _headers(planned: PlannedRequest) -> list[tuple[str, str]]:
    out = preference_applied(planned)
    if planned.profile_header:
        out.append(("content-profile", planned.schema))
    return out
