"""`Accept: application/vnd.pgrst.plan…` → `Explain` (PostgREST `decodeMediaType`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbrest.errors import NotAcceptable
from dbrest.parse.ast import ApiRequest, MediaType
from dbrest.parse.headers import parse_accept
from dbrest.plan.explain import explain_of
from dbrest.plan.negotiate import negotiate


def api(accept: str) -> ApiRequest:
    return ApiRequest(method="GET", schema="public", resource="books",
                      accept=parse_accept(accept))


@pytest.mark.parametrize(("accept", "fmt", "options", "target"), [
    ("application/vnd.pgrst.plan", "text", (), "application/json"),
    ("application/vnd.pgrst.plan+text", "text", (), "application/json"),
    ("application/vnd.pgrst.plan+json", "json", (), "application/json"),
    # postgrest-js's form: empty options, a trailing `;`
    ('application/vnd.pgrst.plan+json; for="text/csv"; options=;', "json", (), "text/csv"),
    # named back in PostgREST's order; unknown options are not options
    ("application/vnd.pgrst.plan+json; options=wal|nonsense|analyze|verbose", "json",
     ("analyze", "verbose", "wal"), "application/json"),
    ("text/xml, application/vnd.pgrst.plan", "text", (), "application/json"),
])
def test_plan_types(accept: str, fmt: str, options: tuple[str, ...], target: str) -> None:
    explain, planned = explain_of(api(accept), True)
    assert explain is not None
    assert (explain.format, explain.options, explain.target.type) == (fmt, options, target)
    assert planned.accept == (explain.target,)  # planned as if it asked for the `for` type


def test_disabled_is_not_acceptable() -> None:
    request = api("application/vnd.pgrst.plan+json")
    explain, planned = explain_of(request, False)
    assert explain is None and planned == request
    with pytest.raises(NotAcceptable):
        negotiate(planned.accept)


def test_an_earlier_acceptable_type_wins() -> None:
    explain, _ = explain_of(api("text/csv, application/vnd.pgrst.plan"), True)
    assert explain is None


def test_content_type_names_the_negotiated_for_type() -> None:
    explain, planned = explain_of(api(
        'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object"; '
        "options=verbose|analyze"), True)
    assert explain is not None
    _, content_type, _ = negotiate(planned.accept)
    assert explain.content_type(content_type) == (
        'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"; '
        "options=analyze|verbose; charset=utf-8")
    bare = replace(explain, options=(), format="text", target=MediaType("application/json"))
    assert bare.content_type("application/json; charset=utf-8") == (
        'application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8')
