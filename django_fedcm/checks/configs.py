"""``FEDCM_CONFIGS``: the extra config files, one per account set (docs/settings.md).

Ids ``E062``-``E065`` and ``W066`` (docs/checks.md). Like every settings
check, the raw value is read and any type tolerated, so a typo produces a
message, not a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.checks import register

from django_fedcm.checks.common import Messages, error, warning
from django_fedcm.checks.settings import _branding_problems
from django_fedcm.conf import CONFIG_NAME, raw_setting
from django_fedcm.services.discovery import ENDPOINT_KEYS, OPTIONAL_ENDPOINT_KEYS

__all__ = ["ALLOWED_KEYS", "NAME_PATTERN", "check_configs"]

#: What an entry may set; everything else is shared by every config of the site.
ALLOWED_KEYS = ("account_label", "branding", "supports_use_other_account")

NAME_PATTERN = re.compile(CONFIG_NAME)

_EXAMPLE = (
    'FEDCM_CONFIGS = {"work": {"account_label": "work", '
    '"branding": {"background_color": "#1a73e8"}}}'
)


def _shape_problems(value: Any) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"it must be a dict of name -> dict, not {type(value).__name__}"
        return
    for name, entry in value.items():
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            yield (
                f"the name {name!r} is not a URL slug (letters, digits, '-' and '_'): "
                "it becomes /fedcm/config/<name>.json"
            )
        elif not isinstance(entry, dict):
            yield f"the entry {name!r} must be a dict, not {type(entry).__name__}"


def _value_problems(entry: dict[Any, Any]) -> Iterator[str]:
    label = entry.get("account_label")
    if not isinstance(label, str) or not label.strip():
        yield "'account_label' must be a non-empty string (the label_hints value it selects)"
    if "branding" in entry and entry["branding"] is not None:
        for problem in _branding_problems(entry["branding"]):
            yield f"'branding': {problem}"
    use_other = entry.get("supports_use_other_account")
    if use_other is not None and not isinstance(use_other, bool):
        yield "'supports_use_other_account' must be True or False"


def _labels(entries: dict[str, dict[Any, Any]]) -> dict[str, list[str]]:
    """Config URL names by the label they select (the default one as ``config.json``)."""
    by_label: dict[str, list[str]] = {}
    default = raw_setting("ACCOUNT_LABEL")
    if isinstance(default, str) and default:
        by_label.setdefault(default, []).append("config.json")
    for name, entry in entries.items():
        label = entry.get("account_label")
        if isinstance(label, str) and label:
            by_label.setdefault(label, []).append(f"config/{name}.json")
    return by_label


@register()
def check_configs(**kwargs: Any) -> Messages:
    """Each extra config file selects one account set by its ``account_label``
    (https://w3c-fedid.github.io/FedCM/#idp-api-config-file)."""
    value = raw_setting("CONFIGS")
    if value is None or value == {}:
        return []
    messages: Messages = [
        error("E062", f"FEDCM_CONFIGS is invalid: {problem}.", f"Use {_EXAMPLE}.")
        for problem in _shape_problems(value)
    ]
    if messages:
        return messages
    endpoint_keys = {*ENDPOINT_KEYS, *OPTIONAL_ENDPOINT_KEYS}
    for name, entry in value.items():
        for key in entry:
            if key in endpoint_keys:
                messages.append(
                    error(
                        "E063",
                        f"FEDCM_CONFIGS[{name!r}] sets {key!r}: every config of a site names "
                        "the same endpoints, because the browser accepts a config only when "
                        "its accounts_endpoint and login_url equal the well-known file's.",
                        f"Remove {key!r}; set the shared sign-in page with FEDCM_LOGIN_URL.",
                    )
                )
            elif key not in ALLOWED_KEYS:
                messages.append(
                    error(
                        "E064",
                        f"FEDCM_CONFIGS[{name!r}] has the unknown key {key!r}.",
                        f"An entry may set {', '.join(map(repr, ALLOWED_KEYS))} only.",
                    )
                )
        messages.extend(
            error("E065", f"FEDCM_CONFIGS[{name!r}] is invalid: {problem}.", f"Use {_EXAMPLE}.")
            for problem in _value_problems(entry)
        )
    for label, files in _labels(value).items():
        if len(files) > 1:
            messages.append(
                warning(
                    "W066",
                    f"The config files {', '.join(files)} all select account_label {label!r}: "
                    "they show the same accounts.",
                    "Give each config its own account_label, or serve one config for them.",
                )
            )
    return messages
