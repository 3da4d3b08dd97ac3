from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import RequestFactory
from pytest_django import DjangoAssertNumQueries

from django_fedcm.models import RelyingParty
from django_fedcm.services import registry

pytestmark = pytest.mark.django_db


def test_get_relying_party_joins_application_in_one_query(
    fedcm_rp: RelyingParty, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        found = registry.get_relying_party("rp-client")
        assert found is not None
        assert found.client_id == "rp-client"


@pytest.mark.parametrize("client_id", [None, "", "x" * 256, "rp-\x00client", "unknown"])
def test_get_relying_party_returns_none_for_impossible_or_unknown_ids(
    fedcm_rp: RelyingParty, client_id: str | None
) -> None:
    assert registry.get_relying_party(client_id) is None


def test_origin_is_registered_is_exact(fedcm_make_rp: Callable[..., RelyingParty]) -> None:
    rp = fedcm_make_rp(origins="https://rp.test http://127.0.0.1:8001")
    assert registry.origin_is_registered(rp, "https://rp.test")
    assert registry.origin_is_registered(rp, "http://127.0.0.1:8001")
    for foreign in (
        "https://rp.test:443",
        "https://rp.test/",
        "http://rp.test",
        "null",
        None,
        "https://evil.rp.test",
        "http://127.0.0.1:8002",
    ):
        assert not registry.origin_is_registered(rp, foreign), foreign


def test_relying_party_for_request_reads_the_form_and_looks_up_once(
    fedcm_rp: RelyingParty, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    request = RequestFactory().post(
        "/fedcm/assertion", "client_id=rp-client", "application/x-www-form-urlencoded"
    )
    with django_assert_num_queries(1):
        assert registry.relying_party_for_request(request) == fedcm_rp
        assert registry.relying_party_for_request(request) == fedcm_rp


def test_relying_party_for_request_reads_the_query_string_of_a_get(
    fedcm_rp: RelyingParty,
) -> None:
    request = RequestFactory().get("/fedcm/client_metadata", {"client_id": "rp-client"})
    assert registry.relying_party_for_request(request) == fedcm_rp


@pytest.mark.parametrize(
    "query", ["", "client_id=", "client_id=rp%00client", "client_id=" + "x" * 256]
)
def test_relying_party_for_request_without_a_possible_id_costs_no_query(
    fedcm_rp: RelyingParty, query: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    request = RequestFactory().get("/fedcm/client_metadata?" + query)
    with django_assert_num_queries(0):
        assert registry.relying_party_for_request(request) is None
        assert registry.relying_party_for_request(request) is None
