from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from pytest_django import DjangoAssertNumQueries

from django_fedcm.models import RelyingParty
from django_fedcm.services import registry, shared_cache

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


# ------------------------------------------------------------------ the registry cache


def test_a_cached_registration_costs_no_query(
    fedcm_rp: RelyingParty, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    registry.get_relying_party("rp-client")
    with django_assert_num_queries(0):
        found = registry.get_relying_party("rp-client")
    assert found is not None and found.pk == fedcm_rp.pk
    assert found.application.client_id == "rp-client"


def test_without_fedcm_cache_every_lookup_queries(
    fedcm_rp: RelyingParty, settings: Any, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    settings.FEDCM_CACHE = None
    registry.get_relying_party("rp-client")
    with django_assert_num_queries(1):
        assert registry.get_relying_party("rp-client") is not None


def test_unknown_ids_are_not_cached(fedcm_make_rp: Callable[..., RelyingParty]) -> None:
    assert registry.get_relying_party("later") is None
    fedcm_make_rp("later", origins="https://later.test")
    found = registry.get_relying_party("later")
    assert found is not None and found.client_id == "later"


def test_disabling_a_client_is_seen_on_the_next_lookup(fedcm_rp: RelyingParty) -> None:
    assert registry.get_relying_party("rp-client").enabled  # type: ignore[union-attr]
    fedcm_rp.enabled = False
    fedcm_rp.save()
    found = registry.get_relying_party("rp-client")
    assert found is not None and found.enabled is False


def test_an_origin_change_on_the_application_is_seen_on_the_next_lookup(
    fedcm_rp: RelyingParty,
) -> None:
    assert registry.origin_is_registered(registry.get_relying_party("rp-client"), "https://rp.test")  # type: ignore[arg-type]
    application = fedcm_rp.application
    application.allowed_origins = "https://other.test"
    application.save()
    found = registry.get_relying_party("rp-client")
    assert found is not None
    assert not registry.origin_is_registered(found, "https://rp.test")
    assert registry.origin_is_registered(found, "https://other.test")


def test_a_deleted_client_is_gone_on_the_next_lookup(fedcm_rp: RelyingParty) -> None:
    assert registry.get_relying_party("rp-client") is not None
    fedcm_rp.application.delete()
    assert registry.get_relying_party("rp-client") is None


def test_a_row_cached_before_the_commit_is_not_served_after_it(
    fedcm_rp: RelyingParty, django_capture_on_commit_callbacks: Any
) -> None:
    stale = registry.get_relying_party("rp-client")
    assert stale is not None
    with django_capture_on_commit_callbacks(execute=True):
        fedcm_rp.enabled = False
        fedcm_rp.save()
        # Another process reads the committed (still enabled) row after the
        # write's first version bump and caches it under the new version.
        version, _ = shared_cache.get("registry", "rp-client")
        shared_cache.put("registry", "rp-client", version, stale)
        assert registry.get_relying_party("rp-client").enabled  # type: ignore[union-attr]
    found = registry.get_relying_party("rp-client")
    assert found is not None and found.enabled is False


def test_a_lost_version_key_is_a_miss_not_a_stale_hit(fedcm_rp: RelyingParty) -> None:
    registry.get_relying_party("rp-client")
    cache.delete("django_fedcm:registry:version")  # evicted by the cache server
    RelyingParty.objects.filter(pk=fedcm_rp.pk).update(enabled=False)  # no signal
    found = registry.get_relying_party("rp-client")
    assert found is not None and found.enabled is False
