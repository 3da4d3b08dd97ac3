"""Placeholder: implemented by the protocol work (issue 3)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)
