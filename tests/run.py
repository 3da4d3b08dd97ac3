#!/usr/bin/env python3
"""Run the django-fedcm test suite: ``python3 tests/run.py [pytest args]``.

Standard library only, so it works on a machine with nothing but Python 3.11+:

1. Outside a virtual environment it creates ``.venv-test/`` in the checkout,
   installs ``-e .[test,postgres]`` into it (again whenever ``pyproject.toml``
   changes) and re-runs itself with that interpreter. Inside a virtual
   environment (tox, your own venv) it uses that one and installs only what
   is missing.
2. Runs pytest on SQLite with branch coverage over ``django_fedcm``; the
   floor is ``[tool.coverage.report] fail_under`` from ``pyproject.toml``.
3. Runs the suite again on PostgreSQL (``FEDCM_TEST_DATABASE=postgres``,
   ``FEDCM_REQUIRE_POSTGRES=1``) when a server answers on ``PGHOST:PGPORT``
   (default ``127.0.0.1:5432``). Under ``CI=true`` an unreachable server is a
   failure, not a skip. ``FEDCM_TEST_POSTGRES=never|auto|always`` overrides.

The real-browser tests (marker ``e2e``) are part of both runs; their fixtures
decide what a missing Chromium means (a skip locally, a failure under CI).

Exit status: 0 when every run passed, otherwise the first failing pytest
status. A full run that collects no tests (pytest status 5) is a failure: it
means the suite was lost, not that there was nothing to do.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_DIR = ROOT / ".venv-test"
STAMP_NAME = ".django-fedcm-install-stamp"
EXTRAS = ".[test,postgres]"
REQUIRED_MODULES = (
    "pytest",
    "pytest_cov",
    "pytest_django",
    "hypothesis",
    "psycopg",
    "django_fedcm",
)
PYTEST_NO_TESTS = 5
MIN_PYTHON = (3, 11)


def log(message: str) -> None:
    print(f"[tests/run.py] {message}", flush=True)


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def in_virtualenv() -> bool:
    return sys.prefix != sys.base_prefix


def venv_python(venv_dir: Path) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def install_fingerprint() -> str:
    """Changes whenever the dependencies or the interpreter change."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def pip_install(python: Path | str) -> None:
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    log(f"installing -e {EXTRAS} with {python}")
    subprocess.run([*command, "-e", EXTRAS], cwd=ROOT, check=True)


def ensure_test_venv() -> Path:
    """Create (or refresh) ``.venv-test`` and return its interpreter."""
    python = venv_python(VENV_DIR)
    stamp = VENV_DIR / STAMP_NAME
    fingerprint = install_fingerprint()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return python
    if not python.exists():
        log(f"creating {VENV_DIR.relative_to(ROOT)}/ with {sys.executable}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
        except (subprocess.CalledProcessError, OSError) as exc:
            # Debian/Ubuntu ship venv's pip bootstrap separately.
            sys.exit(f"could not create a virtualenv ({exc}); on Debian: apt install python3-venv")
    pip_install(python)
    stamp.write_text(fingerprint + "\n")
    return python


def missing_modules() -> list[str]:
    import importlib.util

    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def coverage_floor() -> float | None:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        config = tomllib.load(fh)
    value = config.get("tool", {}).get("coverage", {}).get("report", {}).get("fail_under")
    return float(value) if value is not None else None


def postgres_address() -> tuple[str, int]:
    return os.environ.get("PGHOST", "127.0.0.1"), int(os.environ.get("PGPORT", "5432"))


def postgres_reachable(timeout: float = 2.0) -> bool:
    host, port = postgres_address()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def postgres_mode() -> str:
    mode = os.environ.get("FEDCM_TEST_POSTGRES", "").strip().lower()
    if mode in {"never", "auto", "always"}:
        return mode
    return "always" if truthy(os.environ.get("CI")) else "auto"


def run_pytest(label: str, extra_env: dict[str, str], args: list[str], *, append: bool) -> int:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-rfEs",  # list skips with their reasons: a skipped e2e module must be visible
        "--cov=django_fedcm",
        "--cov-branch",
        "--cov-report=term-missing:skip-covered",
    ]
    if append:  # the second run's report covers both databases
        command.append("--cov-append")
    floor = coverage_floor()
    if floor is not None and not args:
        command.append(f"--cov-fail-under={floor:g}")
    elif args:  # a partial run (-k, a path) cannot reach the whole-suite floor
        command.append("--cov-fail-under=0")
    command += args
    env = {**os.environ, **extra_env}
    log(f"{label}: {' '.join(command[1:])}")
    started = time.monotonic()
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    log(f"{label}: exit {status} after {time.monotonic() - started:.0f}s")
    if status == PYTEST_NO_TESTS and not args:
        log(f"{label}: pytest collected no tests; the suite is missing, failing the run")
        return 1
    return status


def main(argv: list[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        log(f"Python {'.'.join(map(str, MIN_PYTHON))}+ is needed, this is {sys.version.split()[0]}")
        return 2
    if not in_virtualenv():
        python = ensure_test_venv()
        return subprocess.run([str(python), __file__, *argv], cwd=ROOT, check=False).returncode
    missing = missing_modules()
    if missing:
        log(f"missing in {sys.prefix}: {', '.join(missing)}")
        pip_install(sys.executable)

    started = time.monotonic()
    results: list[tuple[str, int]] = []
    sqlite_env = {"FEDCM_TEST_DATABASE": "sqlite", "FEDCM_REQUIRE_POSTGRES": ""}
    results.append(("sqlite", run_pytest("sqlite", sqlite_env, argv, append=False)))

    mode = postgres_mode()
    host, port = postgres_address()
    if mode == "never":
        log("postgres: skipped (FEDCM_TEST_POSTGRES=never)")
    elif mode == "auto" and not postgres_reachable():
        log(f"postgres: skipped, nothing listens on {host}:{port}")
    elif not postgres_reachable():
        log(f"postgres: FAILED, nothing listens on {host}:{port} (required under CI)")
        results.append(("postgres", 1))
    else:
        postgres_env = {"FEDCM_TEST_DATABASE": "postgres", "FEDCM_REQUIRE_POSTGRES": "1"}
        results.append(("postgres", run_pytest("postgres", postgres_env, argv, append=True)))

    summary = ", ".join(
        f"{label} {'ok' if status == 0 else f'FAILED ({status})'}" for label, status in results
    )
    log(f"{summary}; total {time.monotonic() - started:.0f}s")
    return next((status for _, status in results if status != 0), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
