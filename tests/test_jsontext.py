"""JSON text of request bodies: exact for integers past 64 bits, orjson otherwise."""

from __future__ import annotations

import pytest

from dbrest import jsontext

HUGE = 123456789012345678901234567890


def test_integers_past_64_bits_stay_exact() -> None:
    assert jsontext.loads(b'{"n": 123456789012345678901234567890}') == {"n": HUGE}
    assert jsontext.dumps([{"n": HUGE}]) == '[{"n":123456789012345678901234567890}]'


def test_ordinary_bodies_round_trip() -> None:
    assert jsontext.loads(b'[{"a": 1, "b": "x", "c": 1.5}]') == [{"a": 1, "b": "x", "c": 1.5}]
    assert jsontext.dumps({"a": [1, None, True]}) == '{"a":[1,null,true]}'


@pytest.mark.parametrize("body", [b"{", b'{"n": 123456789012345678901234567890', b"nope"])
def test_invalid_json_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        jsontext.loads(body)
