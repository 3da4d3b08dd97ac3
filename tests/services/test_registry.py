from __future__ import annotations

from collections.abc import Callable

import pytest
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
