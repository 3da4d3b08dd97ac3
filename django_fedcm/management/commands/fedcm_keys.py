"""``manage.py fedcm_keys``: a thin command line over :mod:`django_fedcm.services.keys`.

Every refusal is a :class:`~django.core.management.CommandError` (exit code
1, one line on stderr, no traceback) and leaves the key set unchanged.
Output names keys by ``kid`` only; private key material is never printed.
The service functions record the audit events (actor: none, ``via``:
``"fedcm_keys"``); this module only parses arguments and prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from django_fedcm.conf import ALGORITHMS, fedcm_settings
from django_fedcm.models import SigningKey
from django_fedcm.services import keys
from django_fedcm.services.crypto import KeyDecryptionError

#: ``via`` of the audit events this command's changes write.
VIA = "fedcm_keys"


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z") if value else "-"


def published_until(key: SigningKey) -> str:
    """When a key leaves the JWKS: never while it can sign or is about to."""
    until = keys.published_until(key)
    return _when(until) if until else "while not retired"


class Command(BaseCommand):
    help = "Manage the FedCM signing keys: rotate, prepublish, list, retire, prune, reencrypt."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        algorithm_help = (
            f"One of {', '.join(ALGORITHMS)} (default: FEDCM_KEY_ALGORITHM, "
            f"currently {fedcm_settings.KEY_ALGORITHM})."
        )

        rotate = sub.add_parser(
            "rotate",
            help="Activate a new key (the pre-published one if any) and retire the current one.",
        )
        rotate.add_argument("--algorithm", help=algorithm_help)

        prepublish = sub.add_parser(
            "prepublish",
            help="Create the next key: published in the JWKS now, signing after the next rotate.",
        )
        prepublish.add_argument("--algorithm", help=algorithm_help)

        sub.add_parser("list", help="Show every key with its state and dates.")

        retire = sub.add_parser("retire", help="Delete one non-active key now.")
        retire.add_argument("kid", help="Key id, as shown by `fedcm_keys list`.")
        retire.add_argument(
            "--force",
            action="store_true",
            help="Also delete a key still inside its grace period (e.g. a compromised key).",
        )
        retire.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

        prune = sub.add_parser("prune", help="Delete retired keys whose grace period is over.")
        prune.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

        reencrypt = sub.add_parser(
            "reencrypt",
            help="Re-encrypt private keys under the current secret (after rotating SECRET_KEY).",
        )
        reencrypt.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_{options['subcommand']}")
        try:
            handler(**options)
        except (keys.KeyManagementError, KeyDecryptionError) as exc:
            # Both carry fixed, key-free messages by construction.
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            # First line only: PostgreSQL adds a "DETAIL: Failing row contains (...)"
            # line that would print the whole row, encrypted key included.
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CommandError(
                f"Database error: {first_line}. Has `manage.py migrate` been run?"
            ) from None

    # ------------------------------------------------------------------ subcommands

    def _rotate(self, *, algorithm: str | None, **_options: Any) -> None:
        result = keys.rotate(algorithm, via=VIA)
        new = result.activated
        how = "created" if result.created else "promoted the pre-published key"
        self.stdout.write(
            self.style.SUCCESS(f"Active signing key: {new.kid} ({new.algorithm}, {how}).")
        )
        start = keys.takes_over_at(result)
        if start is not None:
            self.stdout.write(
                f"It signs from {start.isoformat(timespec='milliseconds')}, once every server "
                f"publishes it; {keys.signing_key().kid} signs until then "
                "(pre-publish to switch at once)."
            )
        if result.retired is not None:
            self.stdout.write(
                f"Retired {result.retired.kid}; it stays in the JWKS until "
                f"{published_until(result.retired)}."
            )

    def _prepublish(self, *, algorithm: str | None, **_options: Any) -> None:
        key = keys.prepublish(algorithm, via=VIA)
        self.stdout.write(
            self.style.SUCCESS(
                f"Pre-published {key.kid} ({key.algorithm}): in the JWKS now, "
                "signing after the next `fedcm_keys rotate`."
            )
        )

    def _list(self, **_options: Any) -> None:
        rows = [
            (
                k.kid,
                k.algorithm,
                k.state,
                _when(k.created_at),
                _when(k.activated_at),
                _when(k.retired_at),
                published_until(k),
            )
            # Only the columns shown: the encrypted private key is never loaded.
            for k in SigningKey.objects.defer("private_key_encrypted", "public_jwk")
        ]
        if not rows:
            self.stdout.write("No signing keys. Create one with `manage.py fedcm_keys rotate`.")
            return
        header = ("KID", "ALG", "STATE", "CREATED", "ACTIVATED", "RETIRED", "PUBLISHED UNTIL")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )

    def _retire(self, *, kid: str, force: bool, dry_run: bool, **_options: Any) -> None:
        key = keys.retire(kid, force=force, dry_run=dry_run, via=VIA)
        if dry_run:
            self.stdout.write(f"Would delete {key.kid} ({key.algorithm}, {key.state}).")
            return
        self.stdout.write(self.style.SUCCESS(f"Deleted {key.kid} ({key.algorithm}, {key.state})."))

    def _prune(self, *, dry_run: bool, **_options: Any) -> None:
        doomed = keys.prune(dry_run=dry_run, via=VIA)
        if not doomed:
            self.stdout.write("Nothing to prune: no retired key is past its grace period.")
            return
        if dry_run:
            self._write_kids("Would delete", doomed)
            return
        self._write_kids("Deleted", doomed, success=True)

    def _reencrypt(self, *, dry_run: bool, **_options: Any) -> None:
        changed = keys.reencrypt(dry_run=dry_run, via=VIA)
        if not changed:
            self.stdout.write("Every private key is already encrypted under the current secret.")
            return
        if dry_run:
            self._write_kids("Would re-encrypt", changed)
            return
        self._write_kids("Re-encrypted", changed, success=True)

    def _write_kids(self, verb: str, items: Iterable[SigningKey], *, success: bool = False) -> None:
        items = list(items)
        line = f"{verb} {len(items)} key(s): {', '.join(k.kid for k in items)}."
        self.stdout.write(self.style.SUCCESS(line) if success else line)
