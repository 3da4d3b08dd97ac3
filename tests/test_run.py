"""tests/run.py, the stdlib test runner: its decisions, without running pytest."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests import run


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "auto"),
        ({"CI": "true"}, "always"),
        ({"CI": "1", "FEDCM_TEST_POSTGRES": "never"}, "never"),
        ({"FEDCM_TEST_POSTGRES": "ALWAYS"}, "always"),
        ({"CI": "false", "FEDCM_TEST_POSTGRES": "bogus"}, "auto"),
    ],
)
def test_postgres_mode(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("FEDCM_TEST_POSTGRES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert run.postgres_mode() == expected


def test_postgres_unreachable_port_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", "1")  # nothing listens on tcpmux
    assert run.postgres_reachable(timeout=0.5) is False


def test_coverage_floor_reads_pyproject(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.coverage.report]\nfail_under = 91.5\n")
    monkeypatch.setattr(run, "ROOT", tmp_path)
    assert run.coverage_floor() == 91.5
    (tmp_path / "pyproject.toml").write_text("[tool.coverage.report]\nshow_missing = true\n")
    assert run.coverage_floor() is None


class FakePytest:
    """Stands in for ``subprocess.run``: records command lines, returns ``status``."""

    def __init__(self) -> None:
        self.status = 0
        self.calls: list[list[str]] = []

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(command)
        return subprocess.CompletedProcess(command, self.status)


@pytest.fixture
def fedcm_fake_pytest(monkeypatch: pytest.MonkeyPatch) -> FakePytest:
    fake = FakePytest()
    monkeypatch.setattr(subprocess, "run", fake)
    monkeypatch.setattr(run, "coverage_floor", lambda: 90.0)
    return fake


def test_full_run_collecting_nothing_fails(fedcm_fake_pytest: FakePytest) -> None:
    fedcm_fake_pytest.status = run.PYTEST_NO_TESTS
    assert run.run_pytest("sqlite", {}, [], append=False) == 1


def test_selection_collecting_nothing_keeps_pytest_status(fedcm_fake_pytest: FakePytest) -> None:
    fedcm_fake_pytest.status = run.PYTEST_NO_TESTS
    assert run.run_pytest("sqlite", {}, ["-k", "nothing"], append=False) == run.PYTEST_NO_TESTS


def test_pytest_command_line(fedcm_fake_pytest: FakePytest) -> None:
    assert run.run_pytest("postgres", {}, [], append=True) == 0
    (command,) = fedcm_fake_pytest.calls
    assert command[1:3] == ["-m", "pytest"]
    for option in ("no:cacheprovider", "--cov=django_fedcm", "--cov-branch", "--cov-append"):
        assert option in command
    assert "--cov-fail-under=90" in command


def test_partial_run_does_not_enforce_the_coverage_floor(fedcm_fake_pytest: FakePytest) -> None:
    assert run.run_pytest("sqlite", {}, ["-x", "-k", "accounts"], append=False) == 0
    (command,) = fedcm_fake_pytest.calls
    assert "--cov-fail-under=0" in command
    assert "--cov-fail-under=90" not in command
    assert command[-3:] == ["-x", "-k", "accounts"]


def test_main_fails_when_ci_requires_postgres_and_none_answers(
    monkeypatch: pytest.MonkeyPatch, fedcm_fake_pytest: FakePytest
) -> None:
    monkeypatch.setattr(run, "in_virtualenv", lambda: True)
    monkeypatch.setattr(run, "missing_modules", lambda: [])
    monkeypatch.setattr(run, "postgres_reachable", lambda timeout=2.0: False)
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("FEDCM_TEST_POSTGRES", raising=False)
    assert run.main([]) == 1
    assert len(fedcm_fake_pytest.calls) == 1  # the SQLite run only


def test_main_skips_unreachable_postgres_locally(
    monkeypatch: pytest.MonkeyPatch, fedcm_fake_pytest: FakePytest
) -> None:
    monkeypatch.setattr(run, "in_virtualenv", lambda: True)
    monkeypatch.setattr(run, "missing_modules", lambda: [])
    monkeypatch.setattr(run, "postgres_reachable", lambda timeout=2.0: False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("FEDCM_TEST_POSTGRES", raising=False)
    assert run.main([]) == 0
