"""``manage.py fedcm_well_known [--output FILE] [--issuer URL]``.

Prints the ``/.well-known/web-identity`` JSON for publishing on the
registrable domain (eTLD+1) when that host is not served by this Django
project (docs/deployment.md). The same document the ``well_known`` view
serves: both come from :func:`django_fedcm.services.discovery.well_known_document`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_fedcm.services.discovery import well_known_document


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so a web server never serves half a file."""
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # a public file, read by the web server's user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Print the FedCM well-known file (/.well-known/web-identity) for the "
        "registrable domain of FEDCM_ISSUER."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the JSON to FILE (atomically) instead of standard output.",
        )
        parser.add_argument(
            "--issuer",
            metavar="URL",
            help="Origin of the IdP (default: the FEDCM_ISSUER setting).",
        )

    def handle(self, *args: Any, output: str | None, issuer: str | None, **options: Any) -> None:
        try:
            document = well_known_document(issuer=issuer)
        except ImproperlyConfigured as exc:
            raise CommandError(f"{exc} Pass --issuer https://idp.example.") from exc
        text = json.dumps(document, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Directory does not exist: {path.parent}")
        try:
            write_atomically(path, text)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stderr.write(f"Wrote {path}")
