"""``python -m tests.multinode.keys_operator``: runs ``fedcm_keys`` subcommands
read from stdin, one per line, and answers each with one JSON line
(``{"ok": ..., "output": ...}``).

It is ``manage.py fedcm_keys ...`` (the same command, through
``call_command``) in a process started once with the servers' settings, so a
rotation in the middle of the soak costs the rotation, not a Python and
Django start-up, and its end is known to the millisecond. The database
connection is closed after each command, so terminating the servers'
connections never leaves it a dead one.
"""

from __future__ import annotations

import io
import json
import sys

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    for line in sys.stdin:
        output = io.StringIO()
        try:
            call_command("fedcm_keys", *line.split(), stdout=output, no_color=True)
            answer = {"ok": True, "output": output.getvalue()}
        except Exception as exc:  # reported to the test, which fails with it
            answer = {"ok": False, "output": f"{output.getvalue()}{type(exc).__name__}: {exc}"}
        finally:
            connections.close_all()
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
