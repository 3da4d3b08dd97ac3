"""URLconf of the e2e live server: the IdP (``tests.urls``) plus the
test-only pages of :mod:`tests.e2e.views`."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from tests.e2e import views
from tests.urls import urlpatterns as idp_urlpatterns

urlpatterns = [
    path("e2e/rp/", views.rp_page, name="e2e_rp"),
    path("e2e/idp/", views.idp_home, name="e2e_idp_home"),
    # Django's own logout: user_logged_out makes the middleware send
    # Set-Login: logged-out.
    path("e2e/logout/", auth_views.LogoutView.as_view(next_page="/e2e/idp/"), name="e2e_logout"),
    *idp_urlpatterns,
]
