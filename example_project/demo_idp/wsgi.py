"""WSGI entry point of the demo IdP, for gunicorn (example_project/README.md,
"Production mode")::

    gunicorn --chdir example_project demo_idp.wsgi
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# demo_env sits next to demo_idp/, imported by the settings as a top-level module.
EXAMPLE_PROJECT = str(Path(__file__).resolve().parent.parent)
if EXAMPLE_PROJECT not in sys.path:
    sys.path.insert(0, EXAMPLE_PROJECT)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_idp.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
