"""Check that the built distributions ship everything the app needs at runtime.

Usage: ``python .ci/check_dist.py DIST_DIR`` (run by ``tox -e build``).

Setuptools only packs non-Python files it is told about, and a wheel without
its templates, static files or migrations installs fine and then fails at
request time. So: every file under ``django_fedcm/`` in this checkout
(except bytecode) must be in the wheel, plus ``py.typed`` and at least one
migration.

The sdist must carry the same package files, the license, the readme and the
changelog, and nothing else: the test suite runs from a checkout only (it needs
``tests/``, ``docs/`` and ``example_project/``), so a stray ``tests/test_*.py``
that setuptools adds by default is an error (MANIFEST.in prunes it;
docs/development.md, "Distributions").
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "django_fedcm"
ALWAYS_REQUIRED = (f"{PACKAGE}/py.typed", f"{PACKAGE}/migrations/0001_initial.py")
SDIST_REQUIRED = ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml")
# What else an sdist built by setuptools holds besides the package.
SDIST_ALLOWED = frozenset({*SDIST_REQUIRED, "PKG-INFO", "setup.cfg", "MANIFEST.in"})
SDIST_ALLOWED_FOLDERS = (f"{PACKAGE}/", f"{PACKAGE}.egg-info/")


def source_files() -> set[str]:
    files = set()
    for path in (ROOT / PACKAGE).rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.add(path.relative_to(ROOT).as_posix())
    return files


def check_wheel(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    problems = [f"{wheel.name}: missing {name}" for name in ALWAYS_REQUIRED if name not in names]
    problems += [f"{wheel.name}: missing {name}" for name in sorted(source_files() - names)]
    for folder in ("templates", "static"):
        if (ROOT / PACKAGE / folder).is_dir() and not any(
            n.startswith(f"{PACKAGE}/{folder}/") for n in names
        ):
            problems.append(f"{wheel.name}: no {PACKAGE}/{folder}/ files")
    problems += [
        f"{wheel.name}: unexpected {name}"
        for name in sorted(names)
        if not name.startswith(f"{PACKAGE}/") and ".dist-info/" not in name
    ]
    return problems


def check_sdist(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        # Files only, without the top folder (django_fedcm-X.Y/).
        names = {
            m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile() and "/" in m.name
        }
    required = {*SDIST_REQUIRED, *ALWAYS_REQUIRED, *source_files()}
    problems = [f"{sdist.name}: missing {name}" for name in sorted(required - names)]
    problems += [
        f"{sdist.name}: unexpected {name} (the sdist ships the app only; see MANIFEST.in)"
        for name in sorted(names)
        if name not in SDIST_ALLOWED and not name.startswith(SDIST_ALLOWED_FOLDERS)
    ]
    return problems


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else ROOT / "dist"
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    if not wheels or not sdists:
        print(f"check_dist: expected a wheel and an sdist in {dist}", file=sys.stderr)
        return 1
    problems = [p for w in wheels for p in check_wheel(w)]
    problems += [p for s in sdists for p in check_sdist(s)]
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_dist: {', '.join(p.name for p in [*wheels, *sdists])} OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
