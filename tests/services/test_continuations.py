"""django_fedcm.services.continuations: the server-side ``continue_on`` state (checklist 44, 46)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from django_fedcm.models import ContinuationRequest, RelyingParty
from django_fedcm.services import continuations

pytestmark = pytest.mark.django_db


def create(user: Any, rp: RelyingParty) -> str:
    request = RequestFactory().post("/", HTTP_HOST="idp.test", secure=True)
    return continuations.create(
        request,
        user=user,
        relying_party=rp,
        origin="https://rp.test",
        account_id=str(user.pk),
        nonce=None,
        params={},
        fields={"name"},
    )


@pytest.mark.checklist(44)
def test_44_references_are_random_and_only_their_hash_is_stored(
    fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    urls = {create(fedcm_user, fedcm_rp) for _ in range(5)}
    assert len(urls) == 5
    references = {url.rsplit("/", 1)[1] for url in urls}
    hashes = set(ContinuationRequest.objects.values_list("reference_hash", flat=True))
    assert hashes == {hashlib.sha256(r.encode()).hexdigest() for r in references}
    assert not references & hashes
    for reference in references:
        found = continuations.find(reference)
        assert found is not None and found.nonce == ""


def test_find_rejects_empty_and_oversized_references() -> None:
    assert continuations.find("") is None
    assert continuations.find("x" * 129) is None


@pytest.mark.checklist(46)
def test_46_claim_refuses_expired_and_used(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    reference = create(fedcm_user, fedcm_rp).rsplit("/", 1)[1]
    state = continuations.find(reference)
    assert state is not None and not continuations.is_expired(state)
    ContinuationRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert continuations.claim(state) is False
    ContinuationRequest.objects.update(expires_at=timezone.now() + timedelta(seconds=60))
    assert continuations.claim(state) is True and state.used_at is not None
    assert continuations.claim(state) is False


def test_delete_expired_keeps_live_rows(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    create(fedcm_user, fedcm_rp)
    create(fedcm_user, fedcm_rp)
    old = ContinuationRequest.objects.first()
    assert old is not None
    ContinuationRequest.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert continuations.delete_expired() == 1
    assert ContinuationRequest.objects.count() == 1
