"""services/metrics.py: parsing and storing the browser's sign-in reports (checklist 69)."""

from __future__ import annotations

import pytest

from django_fedcm.models import SignInMetric
from django_fedcm.services import metrics
from django_fedcm.services.metrics import InvalidReport, Report, parse_report


@pytest.mark.checklist(69)
def test_chromiums_success_report_parses_to_its_four_timings() -> None:
    body = (
        b"outcome=success&time_to_show_ui=120&time_to_continue=950"
        b"&time_to_receive_token=80&turnaround_time=1150"
    )
    assert parse_report(body, "https://RP.test:443") == Report(
        outcome="success",
        origin="https://rp.test",
        time_to_show_ui=120,
        time_to_continue=950,
        time_to_receive_token=80,
        turnaround_time=1150,
        auto_reauthn=False,
    )


@pytest.mark.checklist(69)
@pytest.mark.parametrize(
    ("shown", "expected"), [("true", True), ("false", False), ("", None), ("yes", None)]
)
def test_chromiums_failure_report_parses_to_code_and_ui_flag(
    shown: str, expected: bool | None
) -> None:
    body = f"outcome=failure&error_code=402&did_show_ui={shown}".encode()
    report = parse_report(body, "https://rp.test")
    assert report == Report(outcome="failure", error_code=402, did_show_ui=expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("600000", 600_000),
        ("600001", None),  # over ten minutes: a clock origin, not a timing
        ("-5", None),
        ("1.5", None),
        ("", None),
        ("%D9%A3", None),  # a non-ASCII digit, percent-encoded
        ("9" * 40, None),
    ],
)
def test_timings_out_of_range_or_malformed_are_not_measured(
    value: str, expected: int | None
) -> None:
    report = parse_report(f"outcome=success&turnaround_time={value}".encode())
    assert report.turnaround_time == expected


@pytest.mark.checklist(69)
@pytest.mark.parametrize(
    ("value", "auto"),
    [("-6", True), ("418", False), ("0", False), ("-0", False), ("-", None), ("-x", None)],
)
def test_a_negative_time_to_continue_marks_an_automatic_reauthentication(
    value: str, auto: bool | None
) -> None:
    report = parse_report(f"outcome=success&time_to_continue={value}".encode())
    assert report.auto_reauthn is auto
    assert report.time_to_continue == (int(value) if value.isdigit() else None)


def test_missing_timings_are_not_measured() -> None:
    assert parse_report(b"outcome=success") == Report(outcome="success")


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), ("999", 999), ("1000", None), ("-1", None), ("x", None)]
)
def test_error_codes_are_small_integers(value: str, expected: int | None) -> None:
    assert parse_report(f"outcome=failure&error_code={value}".encode()).error_code == expected


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (None, ""),
        ("null", ""),  # an opaque origin
        ("https://rp.test/path", ""),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_only_a_real_origin_is_kept(origin: str | None, expected: str) -> None:
    assert parse_report(b"outcome=success", origin).origin == expected


def test_unknown_fields_are_ignored() -> None:
    report = parse_report(b"outcome=success&turnaround_time=5&new_field_from_chrome=1")
    assert report.turnaround_time == 5


def test_a_success_keeps_no_failure_fields_and_a_failure_no_timings() -> None:
    body = b"outcome=success&error_code=1&did_show_ui=true"
    assert parse_report(body) == Report(outcome="success")
    body = b"outcome=failure&turnaround_time=5"
    assert parse_report(body, "https://rp.test") == Report(outcome="failure")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"outcome=",
        b"outcome=Success",
        b"x" * (metrics.MAX_BODY_BYTES + 1),
        "outcome=success&name=é".encode(),
        b"&".join(b"f%d=1" % i for i in range(20)),
    ],
)
def test_anything_else_is_not_a_report(body: bytes) -> None:
    with pytest.raises(InvalidReport):
        parse_report(body)


@pytest.mark.django_db
def test_record_writes_one_row(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        row = metrics.record(Report(outcome="failure", error_code=200, did_show_ui=False))
    stored = SignInMetric.objects.get()
    assert stored.pk == row.pk
    assert (stored.outcome, stored.error_code, stored.did_show_ui) == ("failure", 200, False)
    assert (stored.recorded_at.minute, stored.recorded_at.second) == (0, 0)
    assert str(stored).startswith("failure - (")
