"""internal/params.py: the RP's ``params`` as a storable JSON object."""

from __future__ import annotations

import json

import pytest

from django_fedcm.internal.params import PARAMS_MAX_DEPTH, parse_params


@pytest.mark.parametrize("raw", [None, ""])
def test_absent_params_are_an_empty_object(raw: str | None) -> None:
    assert parse_params(raw, max_bytes=10) == {}


def test_params_are_a_json_object() -> None:
    raw = json.dumps({"nonce": "n", "scope": ["a", "b"], "n": 1.5, "ok": True})
    assert parse_params(raw, max_bytes=1000) == json.loads(raw)


def test_the_size_limit_counts_utf8_bytes() -> None:
    raw = json.dumps({"k": "é"}, ensure_ascii=False)
    assert parse_params(raw, max_bytes=len(raw.encode())) == {"k": "é"}
    with pytest.raises(ValueError):
        parse_params(raw, max_bytes=len(raw))


@pytest.mark.checklist(36)
@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '"a string"',
        "null",
        '{"n": NaN}',
        '{"n": Infinity}',
        '{"n": 1e400}',
        '{"k": "a\\u0000b"}',
        '{"a\\u0000b": 1}',
        '{"k": ["a\\u0000b"]}',
    ],
)
def test_what_cannot_be_stored_as_a_json_object_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_params(raw, max_bytes=1000)


def test_depth_limit_is_exact() -> None:
    inner = PARAMS_MAX_DEPTH  # the object is depth 0, its innermost list depth 32
    ok = '{"a": ' + "[" * inner + "]" * inner + "}"
    assert parse_params(ok, max_bytes=1000) == {"a": json.loads("[" * inner + "]" * inner)}
    too_deep = '{"a": ' + "[" * (inner + 1) + "]" * (inner + 1) + "}"
    with pytest.raises(ValueError):
        parse_params(too_deep, max_bytes=1000)


def test_nesting_past_the_interpreter_limit_is_refused_not_raised() -> None:
    raw = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ValueError):
        parse_params(raw, max_bytes=1_000_000)
