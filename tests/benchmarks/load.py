"""The load generators of ``bench_server.py``: wrk, or Python processes.

Both keep ``concurrency`` requests in flight (a closed loop: each connection
sends its next request when the answer arrives) for ``duration`` seconds and
report requests, latency percentiles, 5xx answers, wrong answers (any other
status than 200, or a body without the expected marker) and the sum of the
``X-Queries`` headers. gunicorn's sync workers close the connection after
every answer, so both reconnect per request, as a proxy in front of them does.

wrk (C, one event loop) costs the machine far less per request than Python
clients, which matters on a small machine where the load generator shares the
cores with the server: ``auto`` picks it when it is installed.
"""

from __future__ import annotations

import http.client
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

__all__ = ["Outcome", "Target", "choose", "run"]


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expect: bytes  # a marker every good answer's body contains


@dataclass
class Outcome:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_errors: int  # 5xx
    bad: int  # another status than 200, or the marker missing
    socket_errors: int
    queries: int  # sum of X-Queries
    client_cpu_s: float  # the load generator's own CPU time
    samples: list[str] = field(default_factory=list)  # a few wrong answers, for the report


def choose(preference: str) -> str:
    """``wrk`` or ``python``; ``auto`` is wrk when it is on PATH."""
    if preference == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if preference == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk); or --load-generator python")
    return preference


def run(generator: str, target: Target, *, concurrency: int, duration: float) -> Outcome:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if generator == "wrk":
        outcome = _run_wrk(target, concurrency, duration)
    else:
        outcome = _run_python(target, concurrency, duration)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    outcome.client_cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return outcome


# -- wrk ---------------------------------------------------------------------

_LUA = """
wrk.method = {method}
{body}
{headers}
local expect = {expect}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; server_errors = 0; queries = 0; sample = "" end
function response(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status ~= 200 or not string.find(body, expect, 1, true) then
    bad = bad + 1
    sample = status .. " " .. string.sub(body, 1, 200)
  end
  local q = headers["X-Queries"] or headers["x-queries"]
  if q then queries = queries + tonumber(q) end
end
function done(summary, latency, requests)
  local b, s, q = 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad"); s = s + t:get("server_errors"); q = q + t:get("queries")
    if t:get("sample") ~= "" then io.write("SAMPLE " .. t:get("sample") .. "\\n") end
  end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %.1f %.1f %d\\n", summary.requests,
    summary.duration, s, b, q, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_string(value: str) -> str:
    level = "="
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def _run_wrk(target: Target, concurrency: int, duration: float) -> Outcome:
    headers = "\n".join(
        f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}"
        for name, value in target.headers.items()
    )
    body = f"wrk.body = {_lua_string(target.body.decode())}" if target.body else ""
    script = _LUA.format(
        method=_lua_string(target.method),
        body=body,
        headers=headers,
        expect=_lua_string(target.expect.decode()),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        command = [
            "wrk",
            "-t1",  # one event loop keeps up with a few thousand requests/s
            f"-c{concurrency}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "-s",
            file.name,
            f"http://{target.host}:{target.port}{target.path}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    match = re.search(r"^BENCH (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout}{result.stderr}")
    fields = match.group(1).split()
    requests, micros, server_errors, bad, queries = (int(x) for x in fields[:5])
    return Outcome(
        requests=requests,
        seconds=micros / 1e6,
        p50_ms=float(fields[5]) / 1000,
        p99_ms=float(fields[6]) / 1000,
        server_errors=server_errors,
        bad=bad,
        socket_errors=int(fields[7]),
        queries=queries,
        client_cpu_s=0.0,
        samples=re.findall(r"^SAMPLE (.*)$", result.stdout, re.MULTILINE),
    )


# -- Python --------------------------------------------------------------------


def _python_client(
    target: Target, start_at: float, stop_at: float
) -> tuple[list[float], list[int], list[str]]:
    """One connection's closed loop. Returns latencies (s) and the counters."""
    connection = http.client.HTTPConnection(target.host, target.port, timeout=10)
    latencies: list[float] = []
    server_errors = bad = queries = socket_errors = 0
    samples: list[str] = []
    while time.monotonic() < start_at:
        time.sleep(0.001)
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            connection.request(target.method, target.path, target.body, target.headers)
            response = connection.getresponse()
            body = response.read()
        except OSError:
            socket_errors += 1
            connection.close()
            continue
        latencies.append(time.perf_counter() - started)
        if response.status >= 500:
            server_errors += 1
        elif response.status != 200 or target.expect not in body:
            bad += 1
            samples = [f"{response.status} {body[:200]!r}"]
        queries += int(response.getheader("X-Queries") or 0)
        if response.will_close:
            connection.close()
    connection.close()
    return latencies, [server_errors, bad, queries, socket_errors], samples


def _run_python(target: Target, concurrency: int, duration: float) -> Outcome:
    start_at = time.monotonic() + 0.5  # every process connected and waiting
    stop_at = start_at + duration
    with ProcessPoolExecutor(concurrency, mp_context=get_context("fork")) as pool:
        futures = [
            pool.submit(_python_client, target, start_at, stop_at) for _ in range(concurrency)
        ]
        results = [future.result() for future in futures]
    latencies = sorted(latency for result in results for latency in result[0])
    totals = [sum(result[1][i] for result in results) for i in range(4)]
    if not latencies:
        latencies = [0.0]
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Outcome(
        requests=len(latencies),
        seconds=duration,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        server_errors=int(totals[0]),
        bad=int(totals[1]),
        socket_errors=int(totals[3]),
        queries=int(totals[2]),
        client_cpu_s=0.0,
        samples=[sample for result in results for sample in result[2]][:3],
    )
