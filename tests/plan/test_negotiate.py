"""Content negotiation: `Accept` (as parsed) → output format, `Content-Type`, strip nulls."""

from __future__ import annotations

import pytest

from dbrest.errors import NotAcceptable
from dbrest.parse.headers import parse_accept
from dbrest.plan.negotiate import negotiate
from tests.plan.helpers import plan

JSON = "application/json; charset=utf-8"
OBJECT = "application/vnd.pgrst.object+json; charset=utf-8"
CSV = "text/csv; charset=utf-8"


@pytest.mark.parametrize(("accept", "expected"), [
    (None, ("json", JSON, False)),
    ("", ("json", JSON, False)),
    ("*/*", ("json", JSON, False)),
    ("application/json", ("json", JSON, False)),
    ("Application/JSON", ("json", JSON, False)),
    ("application/vnd.pgrst.array+json", ("json", JSON, False)),
    ("application/vnd.pgrst.object+json", ("object", OBJECT, False)),
    ("application/vnd.pgrst.object", ("object", OBJECT, False)),
    ("text/csv", ("csv", CSV, False)),
    ("text/html, text/csv", ("csv", CSV, False)),  # the first acceptable one
    ("text/csv, application/json", ("csv", CSV, False)),
    ("text/csv;q=0.5, application/json", ("json", JSON, False)),  # q-order, not list order
    ("application/json;q=0.1, text/csv;q=0.9", ("csv", CSV, False)),
    ("text/csv;q=0, */*", ("json", JSON, False)),  # q=0 is "not acceptable"
    ("application/vnd.pgrst.array+json;nulls=stripped",
     ("json", "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8", True)),
    ("application/vnd.pgrst.object+json; nulls=stripped",
     ("object", "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8", True)),
    ("application/json;nulls=stripped", ("json", JSON, False)),  # only vnd.pgrst types strip
])
def test_negotiate(accept: str | None, expected: tuple[str, str, bool]) -> None:
    assert negotiate(parse_accept(accept)) == expected


@pytest.mark.parametrize(("accept", "message"), [
    ("text/html", "None of these media types are available: text/html"),
    ("text/html, image/png", "None of these media types are available: text/html, image/png"),
    ("application/xml;q=0.5, text/plain",
     "None of these media types are available: text/plain, application/xml"),
])
def test_not_acceptable(accept: str, message: str) -> None:
    with pytest.raises(NotAcceptable) as info:
        negotiate(parse_accept(accept))
    assert (info.value.error_code(), info.value.http_status()) == ("PGRST107", 406)
    assert info.value.message == message


def test_plan_read_carries_the_negotiated_type() -> None:
    planned = plan("/books", {"Accept": "text/csv"})
    assert (planned.plan.output, planned.content_type) == ("csv", CSV)
