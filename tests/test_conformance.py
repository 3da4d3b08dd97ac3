"""``docs/conformance.md`` and the ``checklist`` markers agree.

``@pytest.mark.checklist(N)`` (and a "checklist N" comment) refers to item N
of docs/conformance.md. The page must have every item a marker names, and
every test the page lists under an item must carry that item's marker (so a
renamed or unmarked test cannot leave the page pointing at nothing). Markers
are read from the source rather than from a collection run, so the
real-browser tests, deselected here, count too.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "conformance.md"
TESTS = ROOT / "tests"

#: ``(checklist-27)=`` then ``### 27. Title``: the label gives the stable anchor.
ITEM = re.compile(r"^\(checklist-(\d+)\)=\n### (\d+)\. ", re.MULTILINE)
TEST_NAME = re.compile(r"`(test_\w+)`")


def page_items() -> dict[int, str]:
    """Item number -> the text of its section on the page."""
    text = PAGE.read_text(encoding="utf-8")
    matches = list(ITEM.finditer(text))
    items: dict[int, str] = {}
    for index, match in enumerate(matches):
        label, heading = int(match.group(1)), int(match.group(2))
        assert label == heading, f"docs/conformance.md: label {label} heads item {heading}"
        assert label not in items, f"docs/conformance.md: item {label} appears twice"
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        # A group heading ("## ...") ends the item too.
        body = text[match.end() : end].split("\n## ", 1)[0]
        items[label] = body
    return items


def checklist_args(decorator: ast.expr) -> list[int]:
    """The item numbers of a ``pytest.mark.checklist(...)`` decorator, else []."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return []
    if decorator.func.attr != "checklist":
        return []
    numbers = []
    for arg in decorator.args:
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, int), (
            f"checklist() takes item numbers, got {ast.unparse(arg)}"
        )
        numbers.append(arg.value)
    return numbers


def marked_tests() -> dict[int, set[str]]:
    """Item number -> names of the test functions marked with it."""
    marked: dict[int, set[str]] = defaultdict(set)
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    for number in checklist_args(decorator):
                        marked[number].add(node.name)
    return marked


def test_the_inspection_finds_items_and_markers() -> None:
    # Otherwise the two tests below would pass by finding nothing.
    assert len(page_items()) >= 66
    assert len(marked_tests()) >= 66


def test_items_are_numbered_from_one_without_gaps() -> None:
    numbers = sorted(page_items())
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_marker_names_an_item_on_the_page() -> None:
    items = page_items()
    unknown = {
        number: sorted(names) for number, names in marked_tests().items() if number not in items
    }
    assert not unknown, f"checklist markers name items docs/conformance.md lacks: {unknown}"


def test_every_test_the_page_names_carries_the_marker() -> None:
    marked = marked_tests()
    stale = {
        number: missing
        for number, body in page_items().items()
        if (missing := sorted(set(TEST_NAME.findall(body)) - marked.get(number, set())))
    }
    assert not stale, (
        f"docs/conformance.md lists tests that are not marked checklist(item): {stale}"
    )


def test_every_implemented_item_names_a_test() -> None:
    untested = [
        number
        for number, body in page_items().items()
        if "**Experimental.**" not in body and not TEST_NAME.search(body)
    ]
    assert not untested, f"docs/conformance.md items without a test: {untested}"
