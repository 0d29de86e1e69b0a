"""Authentication: the `Authorization: Bearer` JWT → the request's role and claims.

Follows PostgREST's `Auth.hs`/`Auth/Jwt.hs`: joserfc verifies the signature with the
configured key (an HMAC secret, a PEM public key, or a JWK/JWKS chosen by `kid`), only
with the algorithms that key's type allows (so `alg: none` and HS/RS confusion fail);
`exp`, `nbf` and `iat` are checked with 30 s of clock skew, `aud` when configured; the
role comes from `jwt_role_claim_key`. Verified tokens are cached (bounded), their time
claims re-checked on every use, so a hot token costs no cryptography.
"""

from __future__ import annotations

import base64
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, OKPKey, RSAKey

from dbrest.errors import (
    AnonymousDisabled,
    DbrestError,
    JwtClaimsError,
    JwtDecodeError,
    NoJwtSecret,
)

SKEW = 30  # seconds, as PostgREST

_ALGORITHMS = {
    "oct": ["HS256", "HS384", "HS512"],
    "RSA": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
    "EC": ["ES256", "ES384", "ES512"],
    "OKP": ["EdDSA", "Ed25519", "Ed448"],
}


def _invalid(cls: type[DbrestError], description: str) -> DbrestError:
    header = f'Bearer error="invalid_token", error_description="{description}"'
    return cls(description, headers=(("www-authenticate", header),))


@dataclass(frozen=True, slots=True)
class AuthResult:
    role: str | None
    claims: dict[str, Any]
    authenticated: bool  # a valid JWT was presented (42501 then answers 403, not 401)


# -- keys --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JwtKey:
    key: Any  # a joserfc key or KeySet
    algorithms: tuple[str, ...]


def load_key(secret: str, is_base64: bool = False) -> JwtKey:
    """`jwt_secret` → a verification key: JWKS/JWK JSON, PEM, or an HMAC secret."""
    text = secret.strip()
    if text.startswith("{"):
        data = orjson.loads(text)
        if "keys" in data:
            keyset = KeySet.import_key_set(data)
            algs = sorted({a for k in keyset.keys for a in _ALGORITHMS.get(k.key_type, [])})
            return JwtKey(keyset, tuple(algs))
        key = _import_jwk(data)
        return JwtKey(key, tuple(_ALGORITHMS[key.key_type]))
    if text.startswith("-----BEGIN"):
        pem_types: tuple[Any, ...] = (RSAKey, ECKey, OKPKey)
        for cls in pem_types:
            try:
                key = cls.import_key(text)
                return JwtKey(key, tuple(_ALGORITHMS[key.key_type]))
            except Exception:  # noqa: BLE001,S112 - try the next key type
                continue
        raise ValueError("jwt_secret: unreadable PEM key")
    raw = base64.b64decode(text) if is_base64 else text.encode()
    if len(raw) < 32:
        raise ValueError("jwt_secret: an HMAC secret must be at least 32 characters long")
    return JwtKey(OctKey.import_key(raw), tuple(_ALGORITHMS["oct"]))


def _import_jwk(data: dict[str, Any]) -> Any:
    importers: dict[str, Any] = {"oct": OctKey, "RSA": RSAKey, "EC": ECKey, "OKP": OKPKey}
    cls = importers.get(data.get("kty", ""))
    if cls is None:
        raise ValueError("jwt_secret: unknown JWK key type")
    return cls.import_key(data)


# -- the role claim ----------------------------------------------------------------------------

_STEP = re.compile(
    r"""\.(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_$][\w$-]*))"""  # .key or ."quoted key"
    r"""|\[(?:(\d+)|'([^']*)'|"([^"]*)")\]""")  # [0], ['key'] or ["key"]


def parse_claim_path(path: str) -> tuple[str | int, ...]:
    """`$.a.b`, `$."https://ns".role`, `$.roles[0]`, and the older JSPath `.a.b`."""
    text = path.strip()
    text = text.removeprefix("$")
    steps: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _STEP.match(text, pos)
        if m is None:
            raise ValueError(f"jwt_role_claim_key: cannot read {path!r}")
        quoted, plain, index, single, double = m.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(next(s for s in (quoted, plain, single, double) if s is not None))
        pos = m.end()
    return tuple(steps)


def claim_at(claims: Any, path: tuple[str | int, ...]) -> Any:
    value = claims
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return None
    return value


# -- authenticating a request ------------------------------------------------------------------

_MAX_SECONDS = 2**63 - 1


class Authenticator:
    def __init__(self, key: JwtKey | None, anon_role: str | None, role_path: tuple[str | int, ...],
                 audience: str | None = None, cache_entries: int = 1000) -> None:
        self.key = key
        self.anon_role = anon_role
        self.role_path = role_path
        self.audience = audience
        self.cache_entries = cache_entries
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def authenticate(self, authorization: str | None) -> AuthResult:
        token = _bearer(authorization)
        if token is None:
            if self.anon_role is None:
                raise AnonymousDisabled()
            return AuthResult(self.anon_role, {"role": self.anon_role}, False)
        claims = self._verified(token)
        self._check_times(claims)
        self._check_audience(claims)
        role = claim_at(claims, self.role_path)
        if role is None:
            if self.anon_role is None:
                raise AnonymousDisabled()
            role = self.anon_role
        if not isinstance(role, str):
            raise _invalid(JwtClaimsError, "The JWT role claim must be a string")
        # PostgREST answers a privilege error with 401 unless the request runs as a role
        # other than the anonymous one (`Just authRole /= configDbAnonRole`), so a token
        # without a role claim is as anonymous as no token.
        return AuthResult(role, {**claims, "role": role}, role != self.anon_role)

    def _verified(self, token: str) -> dict[str, Any]:
        cached = self._cache.get(token)
        if cached is not None:
            self._cache.move_to_end(token)
            return cached
        if self.key is None:
            raise NoJwtSecret()
        parts = token.split(".")
        if len(parts) != 3:
            raise _invalid(JwtDecodeError, f"Expected 3 parts in JWT; got {len(parts)}")
        try:
            decoded = jwt.decode(token, self.key.key, algorithms=list(self.key.algorithms))
        except jose_errors.UnsupportedAlgorithmError:
            raise _invalid(JwtDecodeError, "Wrong or unsupported encoding algorithm") from None
        except (jose_errors.BadSignatureError, jose_errors.InvalidKeyTypeError,
                jose_errors.InvalidKeyIdError, jose_errors.MissingKeyError) as err:
            message = ("JWT cryptographic operation failed"
                       if isinstance(err, jose_errors.BadSignatureError)
                       else "No suitable key or wrong key type")
            raise _invalid(JwtDecodeError, message) from None
        except (jose_errors.JoseError, ValueError, TypeError):
            raise _invalid(JwtDecodeError, "JWT cryptographic operation failed") from None
        claims = dict(decoded.claims)
        if self.cache_entries > 0:
            self._cache[token] = claims
            if len(self._cache) > self.cache_entries:
                self._cache.popitem(last=False)
        return claims

    @staticmethod
    def _check_times(claims: dict[str, Any]) -> None:
        now = time.time()
        for name in ("exp", "nbf", "iat"):
            value = claims.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _invalid(JwtClaimsError, f"The JWT '{name}' claim must be a number")
            # A NumericDate is seconds since 1970; one outside 64-bit seconds (or inf/nan)
            # is no instant at all, and would overflow wherever it is used next.
            if not -_MAX_SECONDS <= value <= _MAX_SECONDS:
                raise _invalid(JwtClaimsError, f"The JWT '{name}' claim is out of range")
            if name == "exp" and now - SKEW > value:
                raise _invalid(JwtClaimsError, "JWT expired")
            if name == "nbf" and now + SKEW < value:
                raise _invalid(JwtClaimsError, "JWT not yet valid")
            if name == "iat" and now + SKEW < value:
                raise _invalid(JwtClaimsError, "JWT issued at future")

    def _check_audience(self, claims: dict[str, Any]) -> None:
        """PostgREST `Auth/Jwt.hs`: `aud` must be a string or an array of strings whether
        or not `jwt_aud` is set; then, with `jwt_aud`, a string must equal it and a
        non-empty array must contain it."""
        aud = claims.get("aud")
        if aud is None:
            return
        values = aud if isinstance(aud, list) else [aud]
        if not all(isinstance(v, str) for v in values):
            raise _invalid(JwtClaimsError,
                           "The JWT 'aud' claim must be a string or an array of strings")
        if self.audience is not None and values and self.audience not in values:
            raise _invalid(JwtClaimsError, "JWT not in audience")


def _bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    if not token:
        raise _invalid(JwtDecodeError, "Empty JWT is sent in Authorization header")
    return token


def make_authenticator(config: Any) -> Authenticator:
    """The authenticator a configuration describes (bad settings: `ValueError`)."""
    key = load_key(config.jwt_secret, config.jwt_secret_is_base64) if config.jwt_secret else None
    return Authenticator(key, config.db_anon_role, parse_claim_path(config.jwt_role_claim_key),
                         config.jwt_aud, config.jwt_cache_max_entries)
