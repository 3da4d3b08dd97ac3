"""``/fedcm/logout``: sign out of the IdP (a POST with the CSRF token).

``django.contrib.auth.logout`` sends ``user_logged_out``, so the
:class:`~django_fedcm.middleware.LoginStatusMiddleware` puts
``Set-Login: logged-out`` on the response and the browser stops offering the
IdP's accounts until the next sign-in (docs/login-status.md). Any logout view
of the project does the same; this one is for projects that have none.

It is Django's ``LogoutView`` (POST only: a GET could be forged by any page).
The user lands on ``next`` when it is a URL of this site, else on
``LOGOUT_REDIRECT_URL``, else on the FedCM sign-in page; never on Django's
"logged out" template, which only the admin app provides.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse

from django_fedcm.views.outage import page_when_database_down

__all__ = ["LogoutView", "view"]


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        if self.next_page or settings.LOGOUT_REDIRECT_URL:
            return str(super().get_default_redirect_url())
        return reverse("django_fedcm:login")

    def get_success_url(self) -> str:
        url = str(super().get_success_url())
        # Django renders its template instead of redirecting to this very URL.
        return url if url != self.request.get_full_path() else reverse("django_fedcm:login")


view = page_when_database_down(LogoutView.as_view())
