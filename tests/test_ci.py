""".ci/lowest_constraints.py and .ci/check_dist.py: their decisions, on made-up inputs."""

from __future__ import annotations

import importlib.util
import io
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

CI = Path(__file__).resolve().parent.parent / ".ci"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, CI / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lowest = load("lowest_constraints")
check_dist = load("check_dist")

PYPROJECT = """
[project]
name = "django-fedcm"
dependencies = ["Django>=5.2,<6.2", "django_oauth_toolkit >= 3.4.1, <4"]
[project.optional-dependencies]
api = ["djangorestframework>=3.15", "django-fedcm[postgres]"]
postgres = ["psycopg[binary]>=3.1.8 ; python_version >= '3.11'"]
test = ["pytest>=8"]
demo = ["psycopg[binary,pool]>=3.2"]
"""


def test_floors_of_dependencies_and_runtime_extras(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT)
    # Names normalized, extras and markers dropped, our own name skipped, and the
    # tool extras (test, demo) left to resolve freely.
    assert lowest.floors(pyproject) == {
        "django": "5.2",
        "django-oauth-toolkit": "3.4.1",
        "djangorestframework": "3.15",
        "psycopg": "3.1.8",
    }


def test_the_highest_floor_wins_when_two_requirements_name_a_project(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT.replace('"django-fedcm[postgres]"', '"Django>=5.2.3"'))
    assert lowest.floors(pyproject)["django"] == "5.2.3"


def test_a_runtime_requirement_without_a_floor_is_refused(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT.replace('"djangorestframework>=3.15"', '"djangorestframework"'))
    with pytest.raises(ValueError, match="no >= lower bound"):
        lowest.floors(pyproject)


def test_the_repository_states_a_floor_for_every_runtime_requirement() -> None:
    pins = lowest.floors()
    assert {"django", "django-oauth-toolkit", "jwcrypto", "psycopg"} <= pins.keys()


def test_verify_compares_releases_not_strings(capsys: pytest.CaptureFixture[str]) -> None:
    assert lowest.release("5.2") == lowest.release("5.2.0")
    assert lowest.verify({"pytest": "0.1"}) == [
        f"pytest: {lowest.metadata.version('pytest')} installed, the floor is 0.1"
    ]
    assert lowest.verify({"no-such-project-here": "1.0"}) == [
        "no-such-project-here: not installed (floor 1.0)"
    ]
    assert "NOT THE FLOOR" in capsys.readouterr().out


def make_sdist(path: Path, files: list[str]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name in files:
            info = tarfile.TarInfo(f"django_fedcm-1.0/{name}")
            archive.addfile(info, io.BytesIO(b""))
    return path


def package_files() -> list[str]:
    return sorted(check_dist.source_files() | set(check_dist.ALWAYS_REQUIRED))


def test_sdist_with_the_package_and_its_metadata_passes(tmp_path: Path) -> None:
    files = [*package_files(), *check_dist.SDIST_REQUIRED, "PKG-INFO", "setup.cfg"]
    files.append("django_fedcm.egg-info/SOURCES.txt")
    assert check_dist.check_sdist(make_sdist(tmp_path / "ok.tar.gz", files)) == []


def test_sdist_with_test_modules_or_without_a_package_file_fails(tmp_path: Path) -> None:
    files = [*package_files()[1:], *check_dist.SDIST_REQUIRED, "tests/test_models.py"]
    problems = check_dist.check_sdist(make_sdist(tmp_path / "bad.tar.gz", files))
    assert problems == [
        f"bad.tar.gz: missing {package_files()[0]}",
        "bad.tar.gz: unexpected tests/test_models.py (the sdist ships the app only; "
        "see MANIFEST.in)",
    ]


def test_wheel_with_files_outside_the_package_fails(tmp_path: Path) -> None:
    wheel = tmp_path / "django_fedcm-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in [*package_files(), "django_fedcm-1.0.dist-info/METADATA", "tests/x.py"]:
            archive.writestr(name, "")
    assert check_dist.check_wheel(wheel) == [f"{wheel.name}: unexpected tests/x.py"]
