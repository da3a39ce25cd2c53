"""Canonical JSON: the exact bytes that are signed and hashed.

Sorted keys, no insignificant whitespace, UTF-8, decimals as strings, no floats (a float has no exact
decimal meaning; values are Decimal everywhere in dxdesk). Characters that cannot travel inside an
.xlsx cell (lone surrogates, U+FFFE, U+FFFF) are written as ``\\uXXXX`` escapes, and JSON already escapes
control characters, so the canonical text can be stored in a worksheet cell and read back unchanged.

``canonical(parse(canonical(x))) == canonical(x)`` for every payload (tests/exchange, hypothesis).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["canonical_bytes", "canonical_text", "json_depth", "parse_canonical", "payload_hash"]

_UNSAFE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError(f"non-finite Decimal {obj!r} in a payload")
        return format(obj, "f")
    if isinstance(obj, (set, frozenset)):
        raise TypeError("sets have no order; use a sorted list in a payload")
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"{type(obj).__name__} is not allowed in a payload")


def _check(obj: Any) -> None:
    """Floats and non-string keys are refused (json.dumps would silently accept them)."""
    if isinstance(obj, float):
        raise TypeError("floats are not allowed in a payload; use Decimal or str")
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"payload keys must be strings, not {type(k).__name__}")
            _check(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _check(v)


def canonical_text(obj: Any) -> str:
    _check(obj)
    text = json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_default
    )
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def canonical_bytes(obj: Any) -> bytes:
    return canonical_text(obj).encode("utf-8")


_ESCAPED = re.compile(rb"\\.", re.DOTALL)
_ALL_BUT_QUOTES_AND_BRACKETS = bytes(range(256)).translate(None, b'"[]{}')
_ALL_BUT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_INNERMOST = re.compile(rb"[\[{][\]}]")
_PEELED = 64


def json_depth(text: str | bytes) -> int:
    """How deeply ``text``'s arrays and objects nest (strings are skipped).

    Done with C-level byte operations (a payload of 150 KB takes about 1 ms): escaped characters are
    dropped, then everything but quotes and brackets, then what lies between quotes; the brackets left
    are peeled one innermost level at a time (up to :data:`_PEELED` levels; deeper or unbalanced
    brackets are counted one by one)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    kept = _ESCAPED.sub(b"", data).translate(None, _ALL_BUT_QUOTES_AND_BRACKETS)
    brackets = b"".join(kept.split(b'"')[::2]).translate(None, _ALL_BUT_BRACKETS)
    depth = 0
    rest = brackets
    while rest:
        peeled = _INNERMOST.sub(b"", rest)
        if len(peeled) == len(rest) or depth == _PEELED:
            return _running_depth(brackets)
        rest = peeled
        depth += 1
    return depth


def _running_depth(brackets: bytes) -> int:
    depth = best = 0
    for ch in brackets:
        if ch in b"[{":
            depth += 1
            best = max(best, depth)
        else:
            depth -= 1
    return best


def parse_canonical(data: bytes | str, *, max_depth: int = 64) -> Any:
    """Parse payload JSON. Numbers stay exact (Decimal), never float. A text nested deeper than
    ``max_depth`` is refused before parsing (``ValueError``): the parser would exhaust the stack."""
    if json_depth(data) > max_depth:
        raise ValueError(f"payload JSON nested deeper than {max_depth} levels")
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return json.loads(text, parse_float=Decimal)


def payload_hash(data: bytes) -> str:
    """SHA-256 (hex) of canonical payload bytes: the revision chain and the merge's duplicate check."""
    return hashlib.sha256(data).hexdigest()
