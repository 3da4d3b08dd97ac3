"""services/ is the only writer: the admin, the REST API, the management
commands and the views call service functions and never write a model or send
a signal themselves (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "django_fedcm"

#: The callers: they validate input and present results, services/ writes.
CALLERS = ("admin", "contrib/rest_framework", "management", "views")
#: Manager and queryset methods that write.
QUERYSET_WRITES = frozenset(
    {"create", "update", "delete", "get_or_create", "update_or_create", "bulk_create"}
)


def calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def is_model_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    name, receiver = call.func.attr, ast.unparse(call.func.value)
    if name == "save":
        # form.save(commit=False) and formset.save(commit=False) build objects
        # for a service to write; they write nothing themselves.
        return not any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in call.keywords
        )
    if name == "delete":
        return True
    return name in QUERYSET_WRITES and "objects" in receiver


def is_signal_send(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in {"send", "send_robust"}


def findings(
    directories: tuple[str, ...], test: Callable[[ast.Call], bool]
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for directory in directories:
        for path in sorted((PACKAGE / directory).rglob("*.py")):
            hits = [f"{c.lineno}: {ast.unparse(c)[:80]}" for c in calls(path) if test(c)]
            if hits:
                found[str(path.relative_to(PACKAGE))] = hits
    return found


def test_callers_write_no_models() -> None:
    found = findings(CALLERS, is_model_write)
    assert not found, f"write through a services/ function instead: {found}"


def test_only_services_send_signals() -> None:
    everything_else = tuple(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and p.name not in {"services", "migrations", "__pycache__"}
    )
    found = findings(everything_else, is_signal_send)
    assert not found, f"send signals from a services/ function instead: {found}"


def test_the_scan_sees_writes() -> None:
    # Otherwise the two tests above would pass by finding nothing.
    assert findings(("services",), is_model_write)
    assert findings(("services",), is_signal_send)
