"""docs/security.md, "Threat model": every row names a test that exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECURITY = ROOT / "docs" / "security.md"


def threat_model_rows() -> list[str]:
    text = SECURITY.read_text(encoding="utf-8")
    section = text.split("\n## Threat model\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return rows[2:]  # header and separator


def named_tests(row: str) -> list[tuple[str, str | None]]:
    """``(path, function or None)`` for each `tests/...` reference in the
    row's last cell; ``::name`` alone continues the previous path."""
    cell = row.strip().strip("|").rsplit("|", 1)[-1]
    found: list[tuple[str, str | None]] = []
    path = ""
    for reference in re.findall(r"`([^`]+)`", cell):
        file_part, _, function = reference.partition("::")
        path = file_part or path
        found.append((path, function or None))
    return found


def test_the_threat_model_has_rows_and_each_names_a_test() -> None:
    rows = threat_model_rows()
    assert len(rows) >= 5
    for row in rows:
        assert len(row.strip().strip("|").split("|")) == 3, row
        assert named_tests(row), row


def test_every_test_the_threat_model_names_exists() -> None:
    for row in threat_model_rows():
        for path, function in named_tests(row):
            file = ROOT / path
            assert file.is_file(), (path, row)
            if function is None:
                continue
            defined = {
                node.name
                for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            assert function in defined, (path, function)
