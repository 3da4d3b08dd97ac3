"""The RP's ``params`` field of the id assertion request: untrusted JSON that
must become a JSON object the database can store
(https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint; checklist 36)."""

from __future__ import annotations

import json
import math
from typing import Any

#: Deepest nesting accepted in ``params``. Real RP params are flat (nonce,
#: PKCE, scope); the explicit bound keeps behaviour identical across Python
#: versions (3.11/3.12 raise RecursionError near depth 1000, 3.13 does not).
PARAMS_MAX_DEPTH = 32


def _unacceptable(value: Any) -> bool:
    """True if a parsed JSON value nests deeper than :data:`PARAMS_MAX_DEPTH`
    or any string in it holds U+0000, which PostgreSQL's ``jsonb`` and
    ``text`` refuse. Iterative: no recursion limit."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > PARAMS_MAX_DEPTH:
            return True
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN/Infinity: not storable as jsonb


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400 overflows to inf: not storable as JSON either
        raise ValueError("number out of range")
    return value


def parse_params(raw: str | None, *, max_bytes: int) -> dict[str, Any]:
    """``raw`` as a JSON object (``{}`` when absent or empty); ``ValueError``
    when it is over ``max_bytes`` UTF-8 bytes, not JSON, not an object, nests
    too deep or holds something the database cannot store."""
    if raw is None or raw == "":
        return {}
    if len(raw.encode()) > max_bytes:
        raise ValueError("params too large")
    try:
        params = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("params nest too deep") from None
    if not isinstance(params, dict) or _unacceptable(params):
        raise ValueError("params is not a storable JSON object")
    return params
