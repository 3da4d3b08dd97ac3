"""Benchmark-only middleware: ``X-Queries`` on every answer, the number of SQL
statements the request ran on the default connection (listed first in
``server_settings.MIDDLEWARE``, so the session save is counted too).

Never part of django_fedcm or the demo's own settings: it exists so
``bench_server.py`` can report queries per request measured on the real server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal count
            count += 1
            return execute(*args)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
