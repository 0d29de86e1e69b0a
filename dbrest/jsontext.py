"""JSON text in and out of request bodies, exact for integers of any size.

orjson is the fast path, but it reads an integer past 64 bits as a float (losing digits of
a `numeric` value) and refuses to write one. A body that holds a run of 20 digits takes the
standard library instead, which keeps such integers exact; everything else stays on orjson.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_DIGITS = re.compile(rb"\d{20}")


def loads(body: bytes) -> Any:
    """Parse JSON; ValueError (orjson's and json's decode errors both are) when invalid."""
    if _LONG_DIGITS.search(body):
        return json.loads(body)
    return orjson.loads(body)


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer past 64 bits (nothing else reaches here from a body)
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
