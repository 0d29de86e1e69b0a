"""schemathesis against the served documents, on both backends: requests generated from
the OpenAPI 3.1 document (which documents error bodies as `default` responses) and from
the Swagger 2.0 one. No answer may be a 5xx, and none may contradict the document
(status codes, content types, response bodies against the schemas).

Bounded and derandomized: the same examples every run. The app is a fresh copy of the
fixture; writes really happen, so the data drifts as the examples run.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.infra.apps import BACKENDS, AppOn, InProcessApp

CHECKS = {
    "3.1": [not_a_server_error, status_code_conformance, content_type_conformance,
            response_schema_conformance],
    # 2.0 documents success answers only (as PostgREST's): their bodies are checked
    "2.0": [not_a_server_error, response_schema_conformance],
}


def exercise(app: InProcessApp, version: str, examples: int) -> None:
    doc = app.get(f"/?openapi={version}").json()
    schema = schemathesis.openapi.from_dict(doc)
    operations = [result.ok() for result in schema.get_all_operations()]
    strategy = st.sampled_from(operations).flatmap(lambda op: op.as_strategy())

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://dbrest")
        response = app.request(kwargs.pop("method"), kwargs.pop("url"),
                               params=kwargs.get("params"), headers=kwargs.get("headers"),
                               content=_body(kwargs))
        case.validate_response(response, checks=CHECKS[version])

    run()


def _body(kwargs: dict[str, Any]) -> bytes | None:
    if "json" in kwargs:  # the standard encoder: generated integers may pass 64 bits
        import json

        return json.dumps(kwargs["json"]).encode()
    data = kwargs.get("data") or kwargs.get("content")
    return data.encode() if isinstance(data, str) else data


@pytest.mark.parametrize("version", ["3.1", "2.0"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_schemathesis(app_on: AppOn, backend: str, version: str) -> None:
    with app_on(backend) as app:
        exercise(app, version, examples=60)
