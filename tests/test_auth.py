"""JWT authentication (dbrest/auth.py): keys, algorithms, time claims, audience, role path.

Security cases the issue names: expired, not-yet-valid, wrong audience, wrong key,
tampered payload, `alg: none`, HS/RS confusion, a role claim full of quotes — each
rejected with PostgREST's code, or harmless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from dbrest.auth import Authenticator, claim_at, load_key, parse_claim_path
from dbrest.errors import (
    AnonymousDisabled,
    DbrestError,
    JwtClaimsError,
    JwtDecodeError,
    NoJwtSecret,
)

SECRET = "reallyreallyreallyreallyverysafe"
HS = OctKey.import_key(SECRET)
RSA = RSAKey.generate_key(2048)
EC = ECKey.generate_key("P-256")
ED = OKPKey.generate_key("Ed25519")


def token(claims: dict, key=HS, alg: str = "HS256", header: dict | None = None) -> str:
    return jwt.encode({"alg": alg, **(header or {})}, claims, key, algorithms=[alg])


def auth(secret: str = SECRET, anon: str | None = "anon", aud: str | None = None,
         path: str = "$.role", cache: int = 1000) -> Authenticator:
    return Authenticator(load_key(secret), anon, parse_claim_path(path), aud, cache)


def bearer(tok: str) -> str:
    return f"Bearer {tok}"


def test_valid_hs256_token_gives_its_role_and_claims() -> None:
    result = auth().authenticate(bearer(token({"role": "web", "sub": "u1"})))
    assert (result.role, result.authenticated) == ("web", True)
    assert result.claims == {"role": "web", "sub": "u1"}


def test_no_token_is_the_anon_role() -> None:
    result = auth().authenticate(None)
    assert (result.role, result.authenticated, result.claims) == ("anon", False, {"role": "anon"})


def test_no_token_and_no_anon_role_is_pgrst302() -> None:
    with pytest.raises(AnonymousDisabled) as err:
        auth(anon=None).authenticate(None)
    assert (err.value.http_status(), err.value.code) == (401, "PGRST302")


@pytest.mark.parametrize("hs", ["HS256", "HS384", "HS512"])
def test_hmac_algorithms(hs: str) -> None:
    assert auth().authenticate(bearer(token({"role": "r"}, alg=hs))).role == "r"


@pytest.mark.parametrize(("key", "alg"), [(RSA, "RS256"), (RSA, "RS512"), (EC, "ES256"),
                                          (ED, "Ed25519")])
def test_asymmetric_keys_from_pem_and_jwk(key, alg: str) -> None:
    tok = token({"role": "r"}, key, alg)
    pem = key.as_pem(private=False).decode()
    assert auth(pem).authenticate(bearer(tok)).role == "r"
    jwk = json.dumps(key.as_dict(private=False))
    assert auth(jwk).authenticate(bearer(tok)).role == "r"


def test_jwks_picks_the_key_by_kid() -> None:
    other = RSAKey.generate_key(2048)
    keys = {"keys": [{**RSA.as_dict(private=False), "kid": "a"},
                     {**other.as_dict(private=False), "kid": "b"}]}
    tok = token({"role": "r"}, other, "RS256", {"kid": "b"})
    assert auth(json.dumps(keys)).authenticate(bearer(tok)).role == "r"


def _rejected(a: Authenticator, tok: str) -> DbrestError:
    with pytest.raises(DbrestError) as err:
        a.authenticate(bearer(tok))
    assert err.value.http_status() == 401
    assert dict(err.value.headers)["www-authenticate"].startswith("Bearer error=")
    return err.value


def test_alg_none_is_rejected() -> None:
    payload = base64.urlsafe_b64encode(b'{"role":"admin"}').rstrip(b"=").decode()
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    err = _rejected(auth(), f"{header}.{payload}.")
    assert isinstance(err, JwtDecodeError)


def test_hs_rs_confusion_is_rejected() -> None:
    """A token HMAC-signed with the RSA public key's bytes must not pass an RSA setup."""
    pem = RSA.as_pem(private=False)
    # Forged by hand: joserfc itself refuses to use a public key as an HMAC secret.
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256"}') + "." + b64(b'{"role":"admin"}')
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{b64(signature)}"
    assert isinstance(_rejected(auth(pem.decode()), forged), JwtDecodeError)


def test_wrong_key_and_tampered_payload() -> None:
    other = token({"role": "r"}, OctKey.import_key("x" * 40))
    assert _rejected(auth(), other).code == "PGRST301"
    good = token({"role": "r"})
    h, p, s = good.split(".")
    forged_payload = base64.urlsafe_b64encode(b'{"role":"admin"}').rstrip(b"=").decode()
    assert _rejected(auth(), f"{h}.{forged_payload}.{s}").code == "PGRST301"


# Offsets from the clock as read when each test runs (not when the module is collected).
@pytest.mark.parametrize(("claim", "offset", "message"), [
    ("exp", -100, "JWT expired"),
    ("nbf", 100, "JWT not yet valid"),
    ("iat", 100, "JWT issued at future"),
    ("exp", "tomorrow", "The JWT 'exp' claim must be a number"),
])
def test_time_claims(claim: str, offset: object, message: str) -> None:
    value = time.time() + offset if isinstance(offset, int) else offset
    err = _rejected(auth(), token({"role": "r", claim: value}))
    assert isinstance(err, JwtClaimsError) and err.message == message


def test_clock_skew_of_thirty_seconds_is_tolerated() -> None:
    tok = token({"role": "r", "exp": time.time() - 10, "nbf": time.time() + 10})
    assert auth().authenticate(bearer(tok)).role == "r"


AUD_TYPE = "The JWT 'aud' claim must be a string or an array of strings"


@pytest.mark.parametrize(("aud", "error"), [
    ("api", None), (["x", "api"], None), ("other", "JWT not in audience"), ([], None),
    (None, None), (["other"], "JWT not in audience"), (5, AUD_TYPE), (["api", 5], AUD_TYPE),
    ({"a": "api"}, AUD_TYPE), (True, AUD_TYPE)])
def test_audience(aud: object, error: str | None) -> None:
    tok = token({"role": "r", "aud": aud})
    a = auth(aud="api")
    if error is None:
        assert a.authenticate(bearer(tok)).role == "r"
    else:
        assert _rejected(a, tok).message == error


@pytest.mark.parametrize("aud", [5, True, {"a": "b"}, ["x", 1], [None]])
def test_audience_of_the_wrong_type_without_jwt_aud(aud: object) -> None:
    """PostgREST checks the claim's type even when `jwt-aud` is not configured."""
    err = _rejected(auth(), token({"role": "r", "aud": aud}))
    assert (err.http_status(), err.code, err.message) == (401, "PGRST303", AUD_TYPE)


@pytest.mark.parametrize("aud", ["anything", ["a", "b"], [], None])
def test_any_audience_without_jwt_aud(aud: object) -> None:
    assert auth().authenticate(bearer(token({"role": "r", "aud": aud}))).role == "r"


@pytest.mark.parametrize("claims", [{}, {"sub": "u1"}, {"role": "anon"}])
def test_a_token_without_a_role_runs_as_anon_unauthenticated(claims: dict) -> None:
    """PostgREST: the role defaults to `db-anon-role`, and a request whose role is the
    anonymous one is not authenticated (`Just authRole /= configDbAnonRole`): 42501 → 401."""
    result = auth().authenticate(bearer(token(claims)))
    assert (result.role, result.authenticated) == ("anon", False)
    assert result.claims == {**claims, "role": "anon"}


@pytest.mark.parametrize(("path", "claims", "role"), [
    ("$.role", {"role": "a"}, "a"),
    ("$.app_metadata.role", {"app_metadata": {"role": "b"}}, "b"),
    ('$."https://ns".role', {"https://ns": {"role": "c"}}, "c"),
    ("$.roles[1]", {"roles": ["x", "d"]}, "d"),
    (".app.role", {"app": {"role": "e"}}, "e"),  # the older JSPath form
    ('."https://ns".role', {"https://ns": {"role": "f"}}, "f"),
])
def test_role_claim_key(path: str, claims: dict, role: str) -> None:
    assert auth(path=path).authenticate(bearer(token(claims))).role == role
    assert claim_at(claims, parse_claim_path(path)) == role


def test_a_role_full_of_quotes_is_just_a_string() -> None:
    role = 'x"; DROP TABLE books; --'
    assert auth().authenticate(bearer(token({"role": role}))).role == role


def test_token_without_a_secret_is_pgrst300() -> None:
    a = Authenticator(None, "anon", parse_claim_path("$.role"))
    with pytest.raises(NoJwtSecret):
        a.authenticate(bearer(token({"role": "r"})))


def test_short_hmac_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        load_key("too short")


def test_cache_skips_crypto_but_rechecks_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    a = auth()
    tok = token({"role": "r", "exp": time.time() + 5})
    assert a.authenticate(bearer(tok)).role == "r"
    calls = []
    monkeypatch.setattr("dbrest.auth.jwt.decode", lambda *x, **k: calls.append(x))
    assert a.authenticate(bearer(tok)).role == "r"  # from the cache
    assert calls == []
    monkeypatch.setattr("dbrest.auth.time.time", lambda: time.monotonic() + 10**10)
    with pytest.raises(JwtClaimsError):
        a.authenticate(bearer(tok))


def test_cache_is_bounded() -> None:
    a = auth(cache=3)
    for i in range(10):
        a.authenticate(bearer(token({"role": f"r{i}"})))
    assert len(a._cache) == 3


@pytest.mark.parametrize("claims", [{"exp": 10**30}, {"nbf": -10**30}, {"iat": 10**19},
                                    {"exp": 1e308}])
def test_time_claims_out_of_range_are_refused(claims: dict) -> None:
    err = _rejected(auth(), token({"role": "r", **claims}))
    assert isinstance(err, JwtClaimsError) and err.code == "PGRST303"
    assert err.message.endswith("claim is out of range")
