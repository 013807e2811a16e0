"""Passwords and tokens. Tokens live in cookies; the database stores only their hash."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


PASSWORD_CHECKS = 2
"""Argon2 verifications running at once, off the event loop (each takes ~100 ms of a core and
64 MiB; argon2-cffi releases the GIL). A login burst queues here instead of stalling the loop
that serves the hall's phones."""
_password_pool = ThreadPoolExecutor(max_workers=PASSWORD_CHECKS, thread_name_prefix="argon2")


@functools.cache
def _dummy_hash() -> str:
    """Checked when no account has the name, so an unknown username takes as long to refuse
    as a wrong password (no finding usernames by timing)."""
    return _hasher.hash(secrets.token_urlsafe(16))


async def check_password(password_hash: str | None, password: str) -> bool:
    """`verify_password` in the small pool; None (no such user) is checked against a dummy
    hash and is always False."""
    loop = asyncio.get_running_loop()
    against = password_hash if password_hash is not None else _dummy_hash()
    ok = await loop.run_in_executor(_password_pool, verify_password, against, password)
    return ok and password_hash is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """A token has 256 random bits, so a plain SHA-256 of it cannot be reversed or guessed."""
    return hashlib.sha256(token.encode()).hexdigest()


# A phone's device token is made by the server when it joins, never taken from the client: the
# random part is signed with a key derived from the secret key, so a cookie a script makes up
# (a fresh identity per ten proposals) is not a device at all. Seats and flood limits are keyed
# on its hash.
_DEVICE_TOKEN = re.compile(r"^([A-Za-z0-9_\-]{43})\.([0-9a-f]{32})$")


def device_key(secret_key: str) -> bytes:
    """The key that signs device tokens, derived so it differs from every other use."""
    return hashlib.sha256(b"samatcha device token\x00" + secret_key.encode()).digest()


def _device_mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]  # 128 bits


def new_device_token(key: bytes) -> str:
    body = secrets.token_urlsafe(32)  # 43 characters, 256 random bits
    return f"{body}.{_device_mac(key, body)}"


def issued_device_token(key: bytes, value: str | None) -> str | None:
    """`value` if this server issued it, else None (made up, altered, or from another key)."""
    match = _DEVICE_TOKEN.match(value or "")
    if match is None:
        return None
    return value if hmac.compare_digest(match[2], _device_mac(key, match[1])) else None
