"""Concrete models. Thin: behaviour lives in :mod:`django_fedcm.services`.

Invariants are database constraints so that no code path (admin, shell,
API, a second process) can break them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from django_fedcm.internal.origins import validate_origin_list

__all__ = [
    "AccountProfile",
    "AuditEvent",
    "ContinuationRequest",
    "Grant",
    "RelyingParty",
    "SignInMetric",
    "SigningKey",
]


class RelyingParty(models.Model):
    """The FedCM side of one client registration.

    A one-to-one extension of django-oauth-toolkit's ``Application``: the
    ``client_id`` is the application's, and so are the allowed origins
    (``Application.allowed_origins``), so one registration serves both the
    FedCM door and the OAuth 2.0 / OIDC redirect door.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="fedcm",
        verbose_name=_("OAuth application"),
    )
    enabled = models.BooleanField(
        _("enabled"),
        default=True,
        help_text=_("Disabled clients get unauthorized_client from every FedCM endpoint."),
    )
    terms_of_service_url = models.URLField(_("terms of service URL"), blank=True)
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    icon_url = models.URLField(
        _("icon URL"),
        blank=True,
        help_text=_("Square PNG shown by the browser next to the client (not SVG)."),
    )
    icon_size = models.PositiveSmallIntegerField(_("icon size (px)"), default=40)
    client_is_third_party = models.BooleanField(
        _("third party to embedding pages"),
        default=False,
        help_text=_(
            "Answer client_is_third_party_to_top_frame_origin=true when the client runs "
            "in an iframe of a site that is not one of its registered origins."
        ),
    )
    require_user_action = models.BooleanField(
        _("require explicit user action"),
        default=False,
        help_text=_("Refuse automatic re-authentication (is_auto_selected=true)."),
    )
    structured_tokens = models.BooleanField(
        _("structured tokens"),
        default=False,
        help_text=_("Return the token as a JSON object (Chrome 143+) instead of a JWT string."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("relying party")
        verbose_name_plural = _("relying parties")

    def __str__(self) -> str:
        return self.display_name

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)

    @property
    def display_name(self) -> str:
        return str(self.application.name or self.application.client_id)

    @property
    def origins(self) -> list[str]:
        """Registered origins, normalised (``scheme://host[:port]``)."""
        from django_fedcm.internal.origins import parse_origin_list

        return parse_origin_list(self.application.allowed_origins)

    def clean(self) -> None:
        validate_origin_list(self.application.allowed_origins)


class AccountProfile(models.Model):
    """Per-user FedCM data. Created lazily: a user without one gets defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fedcm_profile",
    )
    login_hints = models.JSONField(_("login hints"), default=list, blank=True)
    domain_hints = models.JSONField(_("domain hints"), default=list, blank=True)
    label_hints = models.JSONField(_("label hints"), default=list, blank=True)
    picture = models.FileField(_("picture"), upload_to="fedcm/pictures/", blank=True)

    class Meta:
        verbose_name = _("FedCM account profile")
        verbose_name_plural = _("FedCM account profiles")

    def __str__(self) -> str:
        return str(self.user)


class Grant(models.Model):
    """A user's approval of a relying party: the source of ``approved_clients``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fedcm_grants"
    )
    relying_party = models.ForeignKey(RelyingParty, on_delete=models.CASCADE, related_name="grants")
    disclosed_fields = models.JSONField(_("disclosed fields"), default=list, blank=True)
    scopes = models.JSONField(_("granted scopes"), default=list, blank=True)
    created_at = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last sign-in"), auto_now=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "relying_party"], name="django_fedcm_grant_unique_user_rp"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.relying_party}"


class SigningKey(models.Model):
    """One key of the managed key set. The private half is encrypted at rest
    (:mod:`django_fedcm.services.crypto`) and is never rendered anywhere."""

    class State(models.TextChoices):
        NEXT = "next", _("next (published, not yet signing)")
        ACTIVE = "active", _("active (signing)")
        RETIRED = "retired", _("retired (published during grace period)")

    class Algorithm(models.TextChoices):
        RS256 = "RS256", "RS256"
        ES256 = "ES256", "ES256"
        EDDSA = "EdDSA", "EdDSA"

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=8, choices=Algorithm.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    public_jwk = models.JSONField(_("public JWK"))
    private_key_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="active"),
                name="django_fedcm_signingkey_one_active",
            ),
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="next"),
                name="django_fedcm_signingkey_one_next",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["next", "active", "retired"]),
                name="django_fedcm_signingkey_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="retired") | Q(retired_at__isnull=False),
                name="django_fedcm_signingkey_retired_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.algorithm}, {self.state})"

    def __repr__(self) -> str:
        # Never include key material in a repr (tracebacks, logs, shells).
        return f"<SigningKey kid={self.kid!r} algorithm={self.algorithm} state={self.state}>"


class ContinuationRequest(models.Model):
    """Server-side state behind a ``continue_on`` URL (checklist 44, 46).

    The URL carries only an opaque random reference; this row binds it to the
    validated client, Origin, account and nonce. Single use (``used_at``) and
    short-lived (``expires_at``).
    """

    reference_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    relying_party = models.ForeignKey(RelyingParty, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=255)
    account_id = models.CharField(max_length=255)
    nonce = models.CharField(max_length=1024, blank=True)
    params = models.JSONField(default=dict, blank=True)
    fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("continuation request")
        verbose_name_plural = _("continuation requests")
        indexes = [models.Index(fields=["expires_at"], name="django_fedcm_cont_expires")]

    def __str__(self) -> str:
        return f"continuation for {self.relying_party} ({self.created_at:%Y-%m-%d %H:%M})"


class AuditEvent(models.Model):
    """Who changed what, when: written by the staff API and the admin actions."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=255, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"


class SignInMetric(models.Model):
    """One report the browser sent to the metrics endpoint after a FedCM request
    (docs/endpoints.md, ``metrics``; docs/security.md, "Browser sign-in reports").

    Deliberately small and unlinkable: no user, no address, no user agent, and
    the time only to the hour. ``origin`` (the relying party) is kept from
    success reports only, which the browser sends with credentials and an
    ``Origin``; failure reports arrive without either, and nothing here joins
    them to a user or a site.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    origin = models.CharField(_("relying party origin"), max_length=255, blank=True)
    time_to_show_ui = models.PositiveIntegerField(_("time to show UI (ms)"), null=True, blank=True)
    time_to_continue = models.PositiveIntegerField(
        _("time to continue (ms)"), null=True, blank=True
    )
    time_to_receive_token = models.PositiveIntegerField(
        _("time to receive token (ms)"), null=True, blank=True
    )
    turnaround_time = models.PositiveIntegerField(_("turnaround time (ms)"), null=True, blank=True)
    error_code = models.PositiveSmallIntegerField(_("error code"), null=True, blank=True)
    did_show_ui = models.BooleanField(_("did show UI"), null=True, blank=True)
    auto_reauthn = models.BooleanField(
        _("automatic re-authentication"),
        null=True,
        blank=True,
        help_text=_("Inferred: a success reported with a negative time to continue."),
    )
    recorded_at = models.DateTimeField(_("hour received"), db_index=True)

    class Meta:
        verbose_name = _("sign-in report")
        verbose_name_plural = _("sign-in reports")

    def __str__(self) -> str:
        return f"{self.outcome} {self.origin or '-'} ({self.recorded_at:%Y-%m-%d %H:00})"
