#!/usr/bin/env python3
"""Django's command-line utility for the demo. The IdP by default; the demo
relying party with ``--settings=demo_rp.settings``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_idp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
