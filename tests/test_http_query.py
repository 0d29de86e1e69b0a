"""`http.parse_query_string`: decoded pairs in order, repeats kept, valueless keys dropped."""

from __future__ import annotations

import random
from urllib.parse import unquote

from dbrest.http import parse_query_string


def _reference(raw: str) -> tuple[tuple[str, str], ...]:
    def decode(text: str) -> str:
        return unquote(text.replace("+", " "), encoding="utf-8", errors="replace")
    return tuple((decode(k), decode(v)) for k, sep, v in (p.partition("=") for p in raw.split("&"))
                 if sep)


def test_plain_and_encoded_queries() -> None:
    assert parse_query_string(b"") == ()
    assert parse_query_string(b"id=eq.1&select=id,title&id=gt.0&flag") == \
        (("id", "eq.1"), ("select", "id,title"), ("id", "gt.0"))
    assert parse_query_string("name=eq.Ursula+K.%20Le%20Guin&a%3Db=%E2%82%AC") == \
        (("name", "eq.Ursula K. Le Guin"), ("a=b", "€"))
    assert parse_query_string(b"t=eq.\xc3\xa9&bad=%FF") == (("t", "eq.é"), ("bad", "\ufffd"))


def test_matches_decoding_every_part() -> None:
    rng = random.Random(5)
    alphabet = "ab=&%+2CF0é."
    for _ in range(20000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert parse_query_string(raw) == _reference(raw), raw
