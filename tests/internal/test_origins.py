from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from django_fedcm.internal.origins import (
    normalize_origin,
    origin_matches,
    parse_origin_list,
    validate_origin_list,
)


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://rp.test", "https://rp.test"),
        ("  HTTPS://RP.Test/ ", "https://rp.test"),
        ("https://rp.test:443", "https://rp.test"),
        ("http://localhost:80", "http://localhost"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("https://my_host.test", "https://my_host.test"),
        ("https://10.0.0.1:8443", "https://10.0.0.1:8443"),
    ],
)
def test_normalize_origin(value: str, origin: str) -> None:
    assert normalize_origin(value) == origin


@pytest.mark.checklist(27)
@pytest.mark.parametrize(
    "value",
    [
        "rp.test",
        "ftp://rp.test",
        "https://",
        "https://*.rp.test",
        "https://rp.test/path",
        "https://rp.test//",
        "https://rp.test?x=1",
        "https://rp.test#frag",
        "https://user:pw@rp.test",
        "https://rp.test:99999",
        "https://rp.test:port",
        # Not a host a browser serialises: these would otherwise reach the
        # user_info page's CSP header and its postMessage target verbatim.
        "https://a;frame-ancestors",
        "https://a,b.test",
        'https://a"b.test',
        "https://a<b.test",
        "https://a%20b.test",
        "https://a\\b.test",
        "https://bücher.example",  # browsers send the punycode form
        "https://[zz::1]",
        "https://[fe80::1%25eth0]",  # zone ids: not in URLs browsers accept
        "https://[fe80::1%a;b]",
    ],
)
def test_normalize_origin_rejects_non_origins(value: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        normalize_origin(value)


def test_parse_origin_list_normalises_dedupes_and_drops_invalid() -> None:
    assert parse_origin_list(
        "https://a.test HTTPS://A.test\nhttps://b.test/x https://c.test:8443"
    ) == [
        "https://a.test",
        "https://c.test:8443",
    ]


def test_validate_origin_list_names_every_bad_entry() -> None:
    validate_origin_list("https://a.test\nhttp://localhost:8000")
    validate_origin_list("")
    with pytest.raises(ValidationError) as excinfo:
        validate_origin_list("https://a.test https://b.test/x https://*.c.test")
    assert excinfo.value.code == "invalid_origin"
    assert "https://b.test/x, https://*.c.test" in excinfo.value.messages[0]


@pytest.mark.checklist(27)
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("https://rp.test", True),
        ("https://rp.test:8443", True),
        ("HTTPS://RP.TEST", False),
        ("https://rp.test/", False),
        ("https://evil.rp.test", False),
        ("null", False),
        ("", False),
        (None, False),
    ],
)
def test_origin_matches_is_exact(header: str | None, expected: bool) -> None:
    assert origin_matches(header, ["https://rp.test", "https://rp.test:8443"]) is expected
