"""Deprecated import paths: a module that moved keeps its old name until 1.0."""

from __future__ import annotations

import importlib
import sys
import warnings

__all__ = ["alias_module"]


def alias_module(old: str, new: str) -> None:
    """Make ``old`` (the module being imported) the module ``new``, with a
    ``DeprecationWarning`` naming the new path. Called from the old module's
    body: ``import old`` and ``from old import x`` then get ``new`` itself, so
    monkeypatching either name patches both."""
    warnings.warn(f"{old} moved to {new}", DeprecationWarning, stacklevel=4)
    sys.modules[old] = importlib.import_module(new)
