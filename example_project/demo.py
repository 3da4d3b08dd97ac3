#!/usr/bin/env python3
"""One command to try django-fedcm: ``python3 example_project/demo.py``.

Standard library only. On first run it creates a virtualenv (``.venv-demo``
at the repository root), installs this checkout into it, then re-executes
itself inside the venv, migrates the SQLite database, seeds the demo data
(idempotent) and serves:

* the identity provider at http://localhost:8000, and
* the demo relying party at http://127.0.0.1:8001 (a different site),

until Ctrl-C. ``--check`` starts both, fetches a few URLs to prove they
answer, and exits (0 when all answered 200). Environment variables are
documented in example_project/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = Path(os.environ.get("DEMO_VENV") or REPO / ".venv-demo").resolve()
STAMP = VENV / ".django-fedcm-demo-installed"
START_TIMEOUT = 60.0

sys.path.insert(0, str(HERE))
import demo_env  # noqa: E402  (stdlib-only module next to this file)


def log(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def inside_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV


def install_fingerprint() -> str:
    """Reinstall when the package metadata changes (editable install otherwise)."""
    return hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()


def bootstrap() -> None:
    """Create the venv and install the checkout, then re-exec inside it."""
    if sys.version_info < (3, 11):  # noqa: UP036 (runs on any python3 first)
        sys.exit("django-fedcm needs Python 3.11 or newer.")
    if not venv_python().exists():
        log(f"creating the virtualenv {VENV}")
        try:
            venv.create(VENV, with_pip=True, clear=False)
        except (OSError, subprocess.CalledProcessError) as exc:
            sys.exit(
                f"Could not create {VENV} ({exc}). On Debian/Ubuntu install python3-venv "
                "first; or set DEMO_VENV to another directory."
            )
    fingerprint = install_fingerprint()
    if not STAMP.exists() or STAMP.read_text() != fingerprint:
        log("installing django-fedcm and its dependencies (first run only)")
        pip = [str(venv_python()), "-m", "pip", "--disable-pip-version-check", "-q"]
        # The demo IdP mounts the REST API: the api extra brings Django REST framework.
        subprocess.run([*pip, "install", "-e", f"{REPO}[api]"], check=True)  # noqa: S603
        STAMP.write_text(fingerprint)
    python = str(venv_python())
    os.execv(python, [python, str(Path(__file__).resolve()), *sys.argv[1:]])  # noqa: S606


def manage(*args: str, settings: str = "demo_idp.settings") -> list[str]:
    return [sys.executable, str(HERE / "manage.py"), *args, f"--settings={settings}"]


def prepare() -> None:
    log(f"database {demo_env.DATABASE_URL or demo_env.DATABASE}")
    # --skip-checks: before the seed there is no signing key yet, and the
    # warning about it (django_fedcm.W030) would only confuse a first run; the
    # servers run every check once the data is in place.
    migrate = manage("migrate", "--noinput", "-v", "0", "--skip-checks")
    subprocess.run(migrate, check=True, cwd=HERE)  # noqa: S603
    subprocess.run(manage("seed_demo", "--skip-checks"), check=True, cwd=HERE)  # noqa: S603


def serve() -> list[subprocess.Popen[bytes]]:
    # Bind to the loopback address only: this is a development demo.
    idp = manage("runserver", f"127.0.0.1:{demo_env.IDP_PORT}", "--noreload")
    rp = manage(
        "runserver", f"127.0.0.1:{demo_env.RP_PORT}", "--noreload", settings="demo_rp.settings"
    )
    return [subprocess.Popen(command, cwd=HERE) for command in (idp, rp)]  # noqa: S603


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_until_up(servers: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    for url in (f"{demo_env.IDP_ORIGIN}/", f"{demo_env.RP_ORIGIN}/"):
        while True:
            if any(s.poll() is not None for s in servers):
                raise SystemExit("a server exited during start-up (is the port already in use?)")
            try:
                fetch(url)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{url} did not answer within {START_TIMEOUT:.0f} s") from None
                time.sleep(0.3)


def check() -> bool:
    urls = [
        f"{demo_env.IDP_ORIGIN}/",
        f"{demo_env.IDP_ORIGIN}/accounts/login/",
        f"{demo_env.IDP_ORIGIN}/.well-known/web-identity",
        f"{demo_env.IDP_ORIGIN}/fedcm/config.json",
        f"{demo_env.IDP_ORIGIN}/fedcm/jwks.json",
        f"{demo_env.IDP_ORIGIN}/.well-known/openid-configuration",
        f"{demo_env.RP_ORIGIN}/",
    ]
    ok = True
    for url in urls:
        status = fetch(url)
        ok &= status == 200
        log(f"{status} {url}")
    return ok


def banner() -> None:
    log("ready:")
    print(
        f"""
  Identity provider  {demo_env.IDP_ORIGIN}/        (admin: {demo_env.IDP_ORIGIN}/admin/)
  Relying party      {demo_env.RP_ORIGIN}/

  Demo users   {demo_env.ALICE_USERNAME} / {demo_env.ALICE_PASSWORD}
               {demo_env.BOB_USERNAME} / {demo_env.BOB_PASSWORD}
  Admin        {demo_env.ADMIN_USERNAME} / {demo_env.ADMIN_PASSWORD}
  Client id    {demo_env.CLIENT_ID}

  Open the relying party in Chrome and click "Sign in with django-fedcm".
  Press Ctrl-C to stop.
""",
        flush=True,
    )


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        if server.poll() is None:
            server.terminate()
    for server in servers:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def interrupt(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a process manager) stops the servers like Ctrl-C does."""
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, interrupt)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="start both servers, fetch a few URLs, exit"
    )
    options = parser.parse_args()
    if not inside_venv():
        bootstrap()
    prepare()
    servers = serve()
    try:
        wait_until_up(servers)
        if options.check:
            ok = check()
            log("check passed" if ok else "check FAILED")
            return 0 if ok else 1
        banner()
        while all(s.poll() is None for s in servers):
            time.sleep(0.5)
        log("a server stopped; shutting down")
        return 1
    except KeyboardInterrupt:
        log("stopping")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop(servers)


if __name__ == "__main__":
    sys.exit(main())
