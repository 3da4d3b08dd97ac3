"""A clock the brute-force throttle reads instead of ``time.time()``, so tests
can step past a lockout without waiting."""

from __future__ import annotations

import pytest

from django_fedcm.services import throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a 900 s window

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def install(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(throttle, "_now", clock)
    return clock
