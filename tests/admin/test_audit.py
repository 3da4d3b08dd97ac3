"""Audit events admin: a read-only list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from django_fedcm.models import AuditEvent, RelyingParty
from django_fedcm.services import audit

pytestmark = pytest.mark.django_db


def test_audit_events_are_read_only(admin_client: Client, fedcm_rp: RelyingParty) -> None:
    event = audit.record(None, "relying_party.updated", fedcm_rp, {"enabled": [True, False]})
    changelist = admin_client.get(reverse("admin:django_fedcm_auditevent_changelist"))
    assert "relying_party.updated" in changelist.content.decode()
    detail = admin_client.get(reverse("admin:django_fedcm_auditevent_change", args=[event.pk]))
    content = detail.content.decode()
    assert "&quot;enabled&quot;" in content
    assert 'name="_save"' not in content
    assert admin_client.get(reverse("admin:django_fedcm_auditevent_add")).status_code == 403
    delete = reverse("admin:django_fedcm_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.count() == 1
