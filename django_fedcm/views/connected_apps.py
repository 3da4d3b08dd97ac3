"""The "Connected apps" page: the signed-in user's approved relying parties,
each with a revoke button (a CSRF-protected POST form).

A thin caller of :mod:`django_fedcm.services.connected_apps`, the same
functions the self-service API uses. Not a FedCM endpoint: an ordinary
same-site page, so it uses Django's login and CSRF machinery.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from django_fedcm.models import Grant
from django_fedcm.services.connected_apps import (
    connected_apps,
    get_connected_app,
    revoke_connected_app,
)
from django_fedcm.views.outage import page_when_database_down

#: The "Shared" line's words for the disclosed fields, in the page's language;
#: the stored values stay the protocol's field names.
SHARED_FIELD_LABELS = {
    "name": pgettext_lazy("shared field", "name"),
    "email": pgettext_lazy("shared field", "email"),
    "tel": pgettext_lazy("shared field", "phone number"),
    "username": pgettext_lazy("shared field", "username"),
    "picture": pgettext_lazy("shared field", "profile picture"),
}


def shared_text(grant: Grant) -> str:
    """What ``grant`` disclosed, as words for the page (unknown fields as stored)."""
    # Translators: between the items of a list ("、" in Japanese).
    separator = pgettext("list separator", ", ")
    return separator.join(
        str(SHARED_FIELD_LABELS.get(field, field)) for field in grant.disclosed_fields
    )


@never_cache
# A page of revoke buttons must not be framed (clickjacking), whatever the
# project's X_FRAME_OPTIONS middleware says.
@xframe_options_deny
@page_when_database_down
@login_required
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Someone else's grant id is answered exactly like a missing one.
        grant = get_connected_app(request.user, request.POST.get("grant"))
        if grant is None:
            raise Http404(_("No such connected app."))
        name = grant.relying_party.display_name
        revoke_connected_app(request.user, grant, via="connected_apps", request=request)
        messages.success(
            request,
            _("%(name)s can no longer sign you in without asking.") % {"name": name},
            fail_silently=True,
        )
        # Post/redirect/get: a reload does not resubmit the form.
        return HttpResponseRedirect(reverse("django_fedcm:connected_apps"), status=303)
    grants = list(connected_apps(request.user))
    return render(
        request,
        "django_fedcm/connected_apps.html",
        {"grants": grants, "apps": [(grant, shared_text(grant)) for grant in grants]},
    )
