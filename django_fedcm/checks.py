"""System checks (ids ``django_fedcm.E0NN`` / ``W0NN``). See docs/checks.md."""

from __future__ import annotations
