"""Scrubbing credentials out of text that leaves the client: errors, reprs, logs, build summaries.

A server (or a proxy, or a notebook) that echoes what it received rarely echoes
the key as it was typed: `Authorization: Basic base64(key:)` comes back
base64-encoded, a URL comes back percent-encoded, a debug dump comes back as
hex. So `redact` replaces each secret in every form it is likely to take:

- as is, in any letter case;
- base64 and URL-safe base64 of the secret, of `secret:` and of `:secret`, with
  or without padding, and the secret inside any longer base64 text (the part of
  its encoding that does not depend on the bytes around it, at each of the three
  alignments, together with the few characters on either side it shares with them);
- percent-encoded (`quote` and `quote_plus`), in any case;
- hex of its UTF-8 bytes, in any case.
"""

from __future__ import annotations

import base64
import functools
import re
from urllib.parse import quote, quote_plus

MASK = "***"
_B64_CHAR = "[A-Za-z0-9+/_-]"
_MIN_CORE = 8  # a shorter stretch of base64 could match unrelated text by chance


def redact(text: str, secrets) -> str:
    """`text` with every form of each non-empty secret in `secrets` replaced by `***`."""
    pattern = _pattern(tuple(sorted({secret for secret in secrets if secret})))
    return pattern.sub(MASK, text) if pattern else text


def mentions(text: str, secrets) -> bool:
    """Whether `text` holds a secret as is or in a whole encoding (not inside longer base64):
    a plain substring search, fast enough for a whole report before `redact` is run on it."""
    lowered = text.lower()
    return any(form.lower() in lowered for secret in secrets if secret for form in _literal_forms(secret))


@functools.lru_cache(maxsize=16)
def _pattern(secrets: tuple[str, ...]):
    forms = set()
    for secret in secrets:
        forms |= _literal_forms(secret)
    alternatives = sorted((re.escape(form) for form in forms), key=len, reverse=True)
    for secret in secrets:
        alternatives += _embedded_base64(secret.encode())
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


@functools.lru_cache(maxsize=16)
def _literal_forms(secret: str) -> frozenset[str]:
    raw = secret.encode()
    forms = {secret, quote(secret, safe=""), quote_plus(secret), raw.hex()}
    for data in (raw, raw + b":", b":" + raw):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(data).decode()
            forms |= {encoded, encoded.rstrip("=")}
    return frozenset(forms)


def _embedded_base64(raw: bytes) -> list[str]:
    """Patterns for `raw` inside longer base64 text, at each alignment to the 3-byte groups.

    At an offset `o`, the groups that hold only the secret's bytes encode the same
    way whatever surrounds them; the up to four characters either side, which mix
    the secret's edge bytes with their neighbours, are masked with them.
    """
    patterns = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        first = 1 if offset else 0  # the first group mixes the secret with what precedes it
        last = (offset + len(raw)) // 3  # groups from here on hold bytes after the secret (or none)
        core = encoded[4 * first : 4 * last]
        if len(core) < _MIN_CORE:
            continue
        for variant in {core, core.replace("+", "-").replace("/", "_")}:
            patterns.append(f"{_B64_CHAR}{{0,4}}{re.escape(variant)}{_B64_CHAR}{{0,4}}=*")
    return patterns
