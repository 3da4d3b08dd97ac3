"""Pin every runtime dependency of pyproject.toml at its lower bound.

Usage (the ``py311-lowest`` tox cell runs both)::

    python .ci/lowest_constraints.py --output lowest.txt  # name==floor, one a line
    pip install -c lowest.txt -e ".[test,postgres]"
    python .ci/lowest_constraints.py --verify             # installed versions == floors?

Without an option it prints the constraints.

pip has no "lowest" resolution, so the floors come from the ``>=`` bound of each
requirement in ``[project] dependencies`` and in the extras that add features of
the app itself (``RUNTIME_EXTRAS``; ``test`` and ``demo`` hold tools, not what a
project installs with us). Their own dependencies resolve as usual: the cell
proves our floors, not theirs.

A runtime requirement without a ``>=`` bound is an error: a floor nobody states
is a floor nobody tests. Standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_EXTRAS = ("api", "postgres")
REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<specs>[^;]*)(?:;.*)?$"
)


def normalize(name: str) -> str:
    """PEP 503 name normalization (``Django`` and ``django`` are one project)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path) -> list[str]:
    with pyproject.open("rb") as fh:
        project = tomllib.load(fh)["project"]
    own = normalize(project["name"])
    requirements = list(project.get("dependencies", []))
    extras = project.get("optional-dependencies", {})
    for extra in RUNTIME_EXTRAS:
        requirements += extras[extra]
    return [r for r in requirements if normalize(_parse(r)[0]) != own]


def _parse(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"cannot parse requirement {requirement!r}")
    return match["name"], match["specs"]


def floor(requirement: str) -> tuple[str, str]:
    """``("psycopg", "3.1.8")`` for ``"psycopg[binary]>=3.1.8"``."""
    name, specs = _parse(requirement)
    for spec in specs.split(","):
        spec = spec.strip()
        if spec.startswith(">="):
            return normalize(name), spec[2:].strip()
    raise ValueError(f"{requirement!r} has no >= lower bound")


def floors(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """One floor per project: the highest, when two requirements name it."""
    pins: dict[str, str] = {}
    for name, version in map(floor, runtime_requirements(pyproject)):
        if name not in pins or release(version) > release(pins[name]):
            pins[name] = version
    return pins


def release(version: str) -> tuple[int, ...]:
    """``5.2`` and ``5.2.0`` compare equal, as pip's ``==5.2`` lets them."""
    parts = [int(p) for p in re.findall(r"\d+", version.split("+")[0])[:4]]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def verify(pins: dict[str, str]) -> list[str]:
    problems = []
    for name, version in sorted(pins.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name}: not installed (floor {version})")
            continue
        mark = "ok" if release(installed) == release(version) else "NOT THE FLOOR"
        print(f"lowest: {name:22} floor {version:8} installed {installed:8} {mark}")
        if mark != "ok":
            problems.append(f"{name}: {installed} installed, the floor is {version}")
    return problems


def main(argv: list[str]) -> int:
    pins = floors()
    if argv == ["--verify"]:
        problems = verify(pins)
        for problem in problems:
            print(f"lowest: {problem}", file=sys.stderr)
        return 1 if problems else 0
    constraints = "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))
    if len(argv) == 2 and argv[0] == "--output":
        Path(argv[1]).write_text(constraints)
        print(f"lowest: constraints in {argv[1]}:\n{constraints}", end="")
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(constraints, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
