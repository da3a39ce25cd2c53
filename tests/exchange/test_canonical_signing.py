"""Canonical JSON and Ed25519 signatures: stable bytes, exact round trips, any change detected."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxdesk.exchange.canonical import (
    canonical_bytes,
    canonical_text,
    json_depth,
    parse_canonical,
    payload_hash,
)
from dxdesk.exchange.signing import new_key, sign, signing_message, verify_signature

KEY = new_key()

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.text(),  # any Unicode, including characters XML cannot carry
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: d.normalize() if d.is_zero() else d),
)
payloads = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@given(payloads)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_canonical_json_is_stable(obj):
    once = canonical_bytes(obj)
    assert canonical_bytes(parse_canonical(once)) == once
    assert canonical_text(obj) == once.decode("utf-8")


@given(payloads)
@settings(max_examples=200)
def test_canonical_text_can_sit_in_a_worksheet_cell(obj):
    """No raw control characters, lone surrogates or U+FFFE/U+FFFF (XML cannot carry them)."""
    text = canonical_text(obj)
    assert not any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" for c in text)
    text.encode("utf-8")  # never raises


def test_canonical_form_is_sorted_and_compact():
    assert (
        canonical_text({"b": 1, "a": [Decimal("280.0"), "三"], "c": None})
        == '{"a":["280.0","三"],"b":1,"c":null}'
    )


def test_decimals_are_strings_and_keep_their_digits():
    assert json.loads(canonical_text({"v": Decimal("1570.00")})) == {"v": "1570.00"}


@pytest.mark.parametrize("bad", [1.5, {"x": 0.1}, {1: "non-string key"}, {"s": {1, 2}}, Decimal("NaN")])
def test_floats_and_other_ambiguous_values_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        canonical_bytes(bad)


def test_hash_is_sha256_hex():
    h = payload_hash(b"{}")
    assert len(h) == 64 and int(h, 16) >= 0


@given(payloads, st.sampled_from(["dxdesk/submission/1", "dxdesk/kit/1"]))
@settings(max_examples=200)
def test_sign_then_verify_round_trips(obj, kind):
    data = canonical_bytes({"format": kind, "data": obj})
    sig = sign(KEY, kind, data)
    assert verify_signature(KEY.public_key(), kind, data, sig)


def _paths(obj, prefix=()):
    """Every leaf of a JSON document as a path."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))
    else:
        yield prefix


def _changed(value):
    if value is None:
        return "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return value + "ー"  # strings, including decimals (parsed back as their text)


@given(st.dictionaries(st.text(min_size=1, max_size=6), leaves, min_size=1, max_size=8), st.data())
@settings(max_examples=300)
def test_any_single_value_change_fails_verification(doc, data):
    kind = "dxdesk/submission/1"
    original = canonical_bytes(doc)
    sig = sign(KEY, kind, original)
    path = data.draw(st.sampled_from(list(_paths(doc))))
    changed = parse_canonical(original)
    target = changed
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = _changed(target[path[-1]])
    tampered = canonical_bytes(changed)
    assert tampered != original
    assert not verify_signature(KEY.public_key(), kind, tampered, sig)


def test_the_kind_is_part_of_the_signed_message():
    data = canonical_bytes({"x": 1})
    sig = sign(KEY, "dxdesk/kit/1", data)
    assert not verify_signature(KEY.public_key(), "dxdesk/submission/1", data, sig)
    assert signing_message("dxdesk/kit/1", data) == b'dxdesk/kit/1\n{"x":1}'
    with pytest.raises(ValueError):
        signing_message("bad\nkind", data)


def _depth_one_by_one(data: bytes) -> int:
    """The nesting depth, counted character by character: what ``json_depth`` must agree with. A
    backslash escapes the next character (inside a string or not, as the scanner treats it)."""
    depth = best = 0
    in_string = False
    i = 0
    while i < len(data):
        ch = data[i : i + 1]
        if ch == b"\\":
            i += 2
            continue
        if ch == b'"':
            in_string = not in_string
        elif not in_string and ch in (b"[", b"{"):
            depth += 1
            best = max(best, depth)
        elif not in_string and ch in (b"]", b"}"):
            depth -= 1
        i += 1
    return best


@given(st.binary(max_size=60).map(lambda b: bytes(b'[]{}"\\a:,'[x % 9] for x in b)))
@settings(max_examples=2000)
def test_depth_agrees_with_counting_one_by_one(text):
    """Unbalanced, mismatched, escaped and quoted brackets in any order, strings that hold brackets
    next to strings that hold none: the fast count is the plain count."""
    assert json_depth(text) == _depth_one_by_one(text)
    assert json_depth(text.decode("latin-1")) == _depth_one_by_one(text.decode("latin-1").encode("utf-8"))


@given(payloads)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_depth_of_real_payloads(obj):
    data = canonical_bytes(obj)
    assert json_depth(data) == _depth_one_by_one(data)


@pytest.mark.parametrize("depth", [0, 1, 15, 16, 17, 63, 64, 65, 1000])
def test_depth_of_nested_lists_and_objects(depth):
    nested = (
        '{"a":' * (depth // 2)
        + "[" * (depth - depth // 2)
        + '"x]"'
        + "]" * (depth - depth // 2)
        + "}" * (depth // 2)
    )
    assert json_depth(nested) == depth
    if depth <= 64:
        assert parse_canonical(nested) is not None
    else:
        with pytest.raises(ValueError, match="nested deeper than 64"):
            parse_canonical(nested)


def test_a_payload_nested_200000_deep_is_refused_before_parsing():
    """Refused by counting (a ValueError naming the limit), never by the parser running out of stack;
    and quickly."""
    import time

    for deep in (b"[" * 200_000 + b"]" * 200_000, b'{"k":' * 200_000 + b"1" + b"}" * 200_000, b"[" * 200_000):
        t = time.process_time()
        with pytest.raises(ValueError, match="nested deeper than 64"):
            parse_canonical(deep)
        assert time.process_time() - t < 1.0
    assert json_depth(b"[" * 200_000) == 200_000
    assert json_depth(b'"' + b"[" * 200_000 + b'"') == 0  # inside a string: text, not nesting
