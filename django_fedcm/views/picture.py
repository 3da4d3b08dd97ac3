"""``GET /fedcm/picture/<account_id>``: the account picture
(https://w3c-fedid.github.io/FedCM/#fetch-the-account-picture).

Chrome fetches the ``picture`` URL of each account *without cookies*, with
``Sec-Fetch-Dest: webidentity`` and ``Accept: application/json``, treats any
redirect as an error and accepts only HTTP 200 (Chromium
``DownloadAndDecodeImage``). So this view needs no session, ignores
``Accept`` (no content negotiation, no ``Vary``) and answers the image bytes
directly (checklist 20).

Privacy: the URL is public by design — anyone who knows an account id can
fetch that account's picture. With the default adapter the id is the user's
primary key, which is guessable; see docs/endpoints.md for how to serve
pictures under unguessable names instead.

Security: the upload is served from the IdP origin, so only bytes that *are*
PNG, JPEG, GIF or WebP (checked by their magic numbers, not the file name)
are served, with ``nosniff`` and a ``default-src 'none'`` CSP; an HTML or SVG
file smuggled into the field is a 404, never a page on the IdP origin.
"""

from __future__ import annotations

from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.http import require_safe

from django_fedcm.adapter import get_adapter
from django_fedcm.internal.images import sniff_image_type
from django_fedcm.models import AccountProfile
from django_fedcm.views.outage import json_when_database_down

#: Seconds browsers and proxies may reuse a picture.
MAX_AGE = 300


def find_profile(request: HttpRequest, account_id: str) -> AccountProfile | None:
    """The profile whose account id (as the adapter computes it) is ``account_id``.

    The default adapter uses the primary key; the lookup is by primary key and
    then confirmed with ``adapter.get_account_id`` so an adapter that changes
    the id scheme never serves the wrong user's picture (override
    ``get_picture_url`` to point elsewhere in that case).
    """
    try:
        pk: Any = get_user_model()._meta.pk.to_python(account_id)
    except ValidationError:
        return None
    profile = AccountProfile.objects.select_related("user").filter(user__pk=pk).first()
    if profile is None or not profile.picture:
        return None
    adapter = get_adapter()
    if adapter.get_account_id(profile.user) != account_id:
        return None
    if not adapter.is_account_enabled(request, profile.user):
        return None
    return profile


def not_found() -> HttpResponseBase:
    return JsonResponse({}, status=404)


@json_when_database_down
@require_safe
def view(request: HttpRequest, account_id: str) -> HttpResponseBase:
    profile = find_profile(request, account_id)
    if profile is None:
        return not_found()
    try:
        handle: IO[bytes] = profile.picture.open("rb")
    except (OSError, ValueError):  # the row names a file that is gone
        return not_found()
    head = handle.read(16)
    content_type = sniff_image_type(head)
    if content_type is None:
        handle.close()
        return not_found()
    handle.seek(0)
    response = FileResponse(handle, content_type=content_type)
    # FileResponse would name the uploaded file; the browser does not need it.
    del response["Content-Disposition"]
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
