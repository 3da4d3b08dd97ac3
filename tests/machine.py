"""What some tests need from the machine (node, gettext, a browser, HAProxy).

Where it is missing the test is skipped, saying why; on CI (``CI`` set to 1,
true, yes or on) it fails instead: ``.ci/run`` installs everything, so a skip
there would count a test that never ran as passing.
"""

from __future__ import annotations

import os
import shutil

import pytest


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def missing(reason: str) -> None:
    """Skip (fail on CI) for ``reason``, a thing this machine lacks."""
    if on_ci():
        pytest.fail(f"MISSING ON CI: {reason}", pytrace=False)
    pytest.skip(f"{reason} (on CI this is a failure)")


def require_program(name: str) -> None:
    """Skip (fail on CI) unless ``name`` is on PATH."""
    if shutil.which(name) is None:
        missing(f"{name} is not installed")
