"""Several app servers, one PostgreSQL, one Redis, keys rotated live
(docs/deployment.md, "Testing the topology").

Two gunicorn servers of the example IdP (2 sync workers each) behind HAProxy:

* ``fedcm_keys rotate`` (a fresh key, not pre-published), run in a process of
  its own with the servers' settings: both servers publish the new key in
  their JWKS for every request that starts later than ``ROTATION_BOUND_S``
  after the command returned, sign with it within ``SIGNING_BOUND_S``, and
  never sign with it while a JWKS fetched from either server lacks it;
* a soak through HAProxy, rotating every 5 s the documented way (the key
  pre-published at the previous step becomes active), with a SIGKILLed worker
  and the app's database connections terminated: every token verifies
  (signature, issuer, audience, expiry, nonce) against the JWKS of the server
  that did *not* sign it; the only 5xx allowed are FedCM
  ``temporarily_unavailable`` 503s in the seconds after the connections were
  terminated, at most two per worker.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pytest

from tests.benchmarks.servers import request
from tests.multinode import soak as soaking
from tests.multinode.client import JwksFetches, id_assertion, verifier
from tests.multinode.cluster import SERVER_NAMES, WORKERS, Cluster

pytestmark = pytest.mark.multinode

ROTATION_BOUND_S = 2.0
#: A fresh key signs once it has existed for the publication lead (two
#: version checks, 2 s; docs/deployment.md, "Rotating keys"): the bound is the
#: lead plus a second for the request and the machine's load.
SIGNING_BOUND_S = 3.0
ROTATION_TRIALS = 3
SOAK_SECONDS = 30.0
CONCURRENCY = 8
ROTATE_EVERY_S = 5.0
KILL_WORKER_AT_S = 8.0
TERMINATE_CONNECTIONS_AT_S = (13.0, 23.0)
#: A terminated connection fails the query it was running: one 503 per busy
#: worker, and the next request reconnects (CONN_HEALTH_CHECKS).
DESIGNED_503_BOUND = 2 * WORKERS * len(SERVER_NAMES)
FAULT_WINDOW_S = 5.0

Report = Callable[[str], None]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} {five:.2f} {fifteen:.2f}"


@dataclass(frozen=True)
class Seen:
    """One answer of one server: the kid that signed a token, or a JWKS's kids."""

    started: float
    ended: float
    kids: frozenset[str]
    failure: str = ""


def switched_at(seen: Iterable[Seen], kid: str) -> float:
    """From when a server answers with ``kid``: every request sent to it later
    got it. The later of the sending of its first answer with it and of its
    last answer without it; inf when no answer had it. (When the answers
    arrive depends on the machine's load; when they were sent does not.)"""
    good = [s for s in seen if not s.failure]
    first = min((s.started for s in good if kid in s.kids), default=math.inf)
    last_without = max((s.started for s in good if kid not in s.kids), default=-math.inf)
    return max(first, last_without)


class Poller(threading.Thread):
    """One probe, back to back, until stopped."""

    def __init__(self, probe: Callable[[], Seen], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.probe, self.stop, self.seen = probe, stop, list[Seen]()

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                self.seen.append(self.probe())
            except Exception as exc:  # a poller that dies would hide its failures
                self.seen.append(Seen(started, time.monotonic(), frozenset(), repr(exc)))


def token_probe(cluster: Cluster, name: str) -> Callable[[], Seen]:
    port = cluster.servers[name].port

    def probe() -> Seen:
        answer = id_assertion(port, cluster.session, cluster.account_id, name)
        if answer.kind != "token":
            failure = f"{answer.kind} {answer.status} {answer.failure}"
            return Seen(answer.started, answer.ended, frozenset(), failure)
        return Seen(answer.started, answer.ended, frozenset([answer.kid]))

    return probe


def jwks_probe(cluster: Cluster, name: str) -> Callable[[], Seen]:
    port = cluster.servers[name].port

    def probe() -> Seen:
        started = time.monotonic()
        try:
            status, _, body = request("127.0.0.1", port, "GET", "/fedcm/jwks.json", {})
        except OSError as exc:
            return Seen(started, time.monotonic(), frozenset(), repr(exc))
        ended = time.monotonic()
        if status != 200:
            return Seen(started, ended, frozenset(), f"JWKS HTTP {status}")
        return Seen(started, ended, frozenset(k["kid"] for k in json.loads(body)["keys"]))

    return probe


def test_a_rotation_reaches_every_server_within_the_bound(
    cluster: Cluster, multinode_report: Report
) -> None:
    multinode_report(f"rotation visibility: start: {load()}")
    stop = threading.Event()
    signing = {name: Poller(token_probe(cluster, name), stop) for name in SERVER_NAMES}
    jwks = {name: Poller(jwks_probe(cluster, name), stop) for name in SERVER_NAMES}
    for poller in [*signing.values(), *jwks.values()]:
        poller.start()
    problems: list[str] = []
    try:
        time.sleep(1)
        for trial in range(1, ROTATION_TRIALS + 1):
            kid, started, ended = cluster.rotate()
            time.sleep(SIGNING_BOUND_S + 1)  # every poller has answered past the bounds
            signs = {n: switched_at(list(p.seen), kid) - ended for n, p in signing.items()}
            publishes = {n: switched_at(list(p.seen), kid) - ended for n, p in jwks.items()}
            first_token = min(
                (s.ended for p in signing.values() for s in list(p.seen) if kid in s.kids),
                default=math.inf,
            )
            # A token signed with the new key while a server's JWKS lacked it:
            # an RP fetching that JWKS then could not verify the token.
            exposed = max(
                (
                    s.started - first_token
                    for p in jwks.values()
                    for s in list(p.seen)
                    if not s.failure and kid not in s.kids and s.started > first_token
                ),
                default=0.0,
            )
            multinode_report(
                f"rotation {trial}: rotate took {1000 * (ended - started):.0f} ms; every id "
                "assertion sent after it returned was signed with the new key from "
                + ", ".join(f"{n} {1000 * lag:+.0f} ms" for n, lag in signs.items())
                + ", every JWKS fetched had it from "
                + ", ".join(f"{n} {1000 * lag:+.0f} ms" for n, lag in publishes.items())
                + f"; a JWKS lacking it was fetched {1000 * exposed:.0f} ms after the first "
                "token signed with it (bound 0)"
            )
            for what, lags, bound in (
                ("signed with", signs, SIGNING_BOUND_S),
                ("published", publishes, ROTATION_BOUND_S),
            ):
                problems += [
                    f"rotation {trial}: server {n} {what} {kid} only {lag:.2f} s after it"
                    for n, lag in lags.items()
                    if lag > bound
                ]
            if exposed > 0:
                problems.append(
                    f"rotation {trial}: a JWKS without {kid} was fetched "
                    f"{1000 * exposed:.0f} ms after a token signed with it"
                )
    finally:
        stop.set()
        for poller in [*signing.values(), *jwks.values()]:
            poller.join(30)
    answers = [s for p in [*signing.values(), *jwks.values()] for s in p.seen]
    failures = [s.failure for s in answers if s.failure]
    multinode_report(
        f"rotation visibility: {len(answers)} id assertions and JWKS fetches sent to the servers "
        f"directly, {len(failures)} failed; bounds: published {ROTATION_BOUND_S:g} s, signed "
        f"with {SIGNING_BOUND_S:g} s; end: {load()}"
    )
    problems += failures[:5]
    assert not problems, "\n".join(problems) + "\n" + cluster.logs()


def key_ages(soak: soaking.Soak, initial_kid: str) -> dict[str, int]:
    """Each kid's place in the order the soak made the keys active."""
    return {kid: index for index, kid in enumerate([initial_kid, *(r.kid for r in soak.rotations)])}


def stale_tokens(soak: soaking.Soak, initial_kid: str) -> list[str]:
    """Tokens signed with an older key than the newest one a rotation had made
    active more than ``ROTATION_BOUND_S`` before the request was sent."""
    ages = key_ages(soak, initial_kid)
    stale = []
    for answer in soak.answers:
        if answer.token:
            settled = answer.started - ROTATION_BOUND_S
            expected = sum(1 for r in soak.rotations if r.ended < settled)
            if ages.get(answer.kid, -1) < expected:
                stale.append(f"{answer.served_by} signed with {answer.kid}")
    return stale


def rotation_lags(soak: soaking.Soak, initial_kid: str) -> list[float]:
    """Per rotation and server: from the command's return until every request
    that server answered signed with the new key (or a newer one)."""
    ages = key_ages(soak, initial_kid)
    lags = []
    for age, rotation in enumerate(soak.rotations, start=1):
        for name in SERVER_NAMES:
            seen = [
                Seen(a.started, a.ended, frozenset(["new"] if ages.get(a.kid, -1) >= age else []))
                for a in soak.answers
                if a.token and a.served_by == name
            ]
            lags.append(switched_at(seen, "new") - rotation.ended)
    return lags


def haproxy_delta(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> str:
    fields = {
        "wretr": "retries",
        "wredis": "redispatches",
        "eresp": "response errors",
        "econ": "connection errors",
        "hrsp_5xx": "5xx",
    }
    parts = []
    for row in (*SERVER_NAMES, "BACKEND"):
        counts = ", ".join(
            f"{label} {int(after[row][key] or 0) - int(before[row][key] or 0)}"
            for key, label in fields.items()
        )
        parts.append(f"{row}: {counts}")
    return "; ".join(parts)


def test_soak_with_rotations_and_faults_through_haproxy(
    cluster: Cluster, multinode_report: Report
) -> None:
    fetches = {name: JwksFetches() for name in SERVER_NAMES}
    verifiers = {
        name: verifier(cluster.issuer, cluster.servers[name].port, fetches[name])
        for name in SERVER_NAMES
    }
    cluster.fedcm_keys("prepublish")  # what the first rotation makes active
    warm = id_assertion(cluster.balancer, cluster.session, cluster.account_id)
    assert warm.kind == "token", (warm, cluster.logs())
    events: list[soaking.Event] = [
        (ROTATE_EVERY_S * n, "rotate", soaking.rotate)
        for n in range(1, math.ceil(SOAK_SECONDS / ROTATE_EVERY_S))
    ]
    events.append(
        (KILL_WORKER_AT_S, "SIGKILL a worker", lambda s, c: soaking.kill_a_worker(s, c, "a"))
    )
    events += [
        (at, "pg_terminate_backend", soaking.terminate_connections)
        for at in TERMINATE_CONNECTIONS_AT_S
    ]
    start = load()
    stats_before = cluster.haproxy_stats()
    soak = soaking.run(
        cluster, verifiers, seconds=SOAK_SECONDS, concurrency=CONCURRENCY, events=events
    )
    stats_after = cluster.haproxy_stats()

    kinds = soak.kinds()
    p50, p99 = soak.latency_ms()
    served = {name: sum(a.served_by == name for a in soak.answers) for name in SERVER_NAMES}
    lags = rotation_lags(soak, warm.kid)
    stale = stale_tokens(soak, warm.kid)
    terminations = [e.at for e in soak.events if e.what == "pg_terminate_backend"]
    designed = [
        (a.started - soak.started, a.ended - soak.started)
        for a in soak.answers
        if a.kind == "designed 503"
    ]
    # In flight when the connections were terminated, or sent in the seconds after.
    outside = [
        (start, end)
        for start, end in designed
        if not any(end >= at and start <= at + FAULT_WINDOW_S for at in terminations)
    ]
    # A sync worker killed between writing the headers and the body (gunicorn
    # writes them separately) leaves its one response cut short after HAProxy
    # forwarded the headers: no proxy can replay that. One per kill at most.
    lost = [
        a
        for a in soak.answers
        if a.kind == "truncated"
        and any(a.served_by == name and a.started <= at <= a.ended for name, at in soak.kills)
    ]
    jwks_failed = {n: {s: c for s, c in f.statuses.items() if s != 200} for n, f in fetches.items()}

    report = multinode_report
    report(
        f"soak: {SOAK_SECONDS:g} s, concurrency {CONCURRENCY} through HAProxy, "
        f"{len(SERVER_NAMES)} servers x {WORKERS} sync workers; start: {start}; end: {load()}"
    )
    report(
        f"soak: {len(soak.answers)} id assertions ({len(soak.answers) / soak.seconds:.1f}/s, "
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms), served by "
        + ", ".join(f"{name} {count}" for name, count in served.items())
    )
    report(
        f"soak: {kinds['token']} tokens, {sum(soak.verified.values())} verified against the "
        "other server's JWKS ("
        + ", ".join(f"{n}'s {c}" for n, c in sorted(soak.verified.items()))
        + f"), {len(soak.unverified)} did not verify; JWKS downloads by status "
        + ", ".join(f"{n} {dict(f.statuses)}" for n, f in fetches.items())
    )
    report(
        f"soak: {len(soak.rotations)} rotations; every id assertion sent from "
        f"{1000 * max(lags):+.0f} ms at worst after the rotation returned on was signed with "
        f"the new key (bound "
        f"{ROTATION_BOUND_S:g} s); {len(stale)} tokens signed with a superseded key later"
    )
    for event in soak.events + soak.faults:
        report(f"soak: at {event.at:4.1f} s {event.what}: {event.detail}")
    report(
        f"soak faults: {kinds['designed 503']} designed 503 temporarily_unavailable (bound "
        f"{DESIGNED_503_BOUND} per termination, {len(outside)} outside the {FAULT_WINDOW_S:g} s "
        f"after one), {kinds['other 5xx']} other 5xx, {kinds['wrong answer']} wrong answers, "
        f"{kinds['socket error']} connection errors, {kinds['truncated']} cut short "
        f"({len(lost)} of them the killed worker's own, bound 1 per kill)"
    )
    report(f"soak HAProxy: {haproxy_delta(stats_before, stats_after)}")

    problems = []
    unexpected = [
        a for a in soak.answers if a.kind not in {"token", "designed 503"} and a not in lost
    ]
    if unexpected:
        samples = [f"{a.kind} {a.status} {a.served_by} {a.failure}" for a in unexpected[:5]]
        problems.append(f"{len(unexpected)} unexpected answers: {samples}")
    if len(lost) > len(soak.kills):
        problems.append(f"{len(lost)} answers cut short by {len(soak.kills)} killed workers")
    if soak.client_errors:
        problems.append(f"the test's clients failed: {soak.client_errors[:5]}")
    if len(designed) > DESIGNED_503_BOUND * len(terminations) or outside:
        problems.append(f"designed 503s (sent, answered at s): {designed[:20]}")
    if soak.unverified or sum(soak.verified.values()) != kinds["token"]:
        problems.append(f"tokens that did not verify: {soak.unverified[:5]}")
    if stale:
        problems.append(f"tokens signed with a superseded key: {stale[:5]}")
    if max(lags) > ROTATION_BOUND_S:
        problems.append(f"rotations slower than {ROTATION_BOUND_S} s: {lags}")
    if any(jwks_failed.values()):
        problems.append(f"JWKS downloads that failed: {jwks_failed}")
    if any("NOT" in fault.detail for fault in soak.faults):
        problems.append("the killed worker was not replaced")
    rotations = sum(event[1] == "rotate" for event in events)
    if len(soak.rotations) != rotations or min(served.values()) == 0:
        problems.append(f"{len(soak.rotations)} of {rotations} rotations, served {served}")
    assert not problems, "\n".join(problems) + "\n" + cluster.logs()
