"""The soak: id assertions through HAProxy at a fixed concurrency while keys
rotate and faults happen, every token verified as the relying party's backend
would, against the JWKS of the server that did *not* sign it.

The events (rotations, a SIGKILLed worker, terminated database connections)
run one after another on the calling thread, at their time or as soon as the
previous one is done.
"""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django_fedcm.rp import IdTokenVerifier
from django_fedcm.rp.exceptions import TokenVerificationError
from tests.multinode.client import Answer, id_assertion
from tests.multinode.cluster import Cluster


@dataclass
class Rotation:
    kid: str
    started: float
    ended: float


@dataclass
class Fault:
    what: str
    at: float  # seconds into the soak
    detail: str = ""


@dataclass
class Soak:
    """What a soak saw. Times are ``time.monotonic()`` unless named otherwise."""

    started: float
    seconds: float = 0.0
    answers: list[Answer] = field(default_factory=list)
    rotations: list[Rotation] = field(default_factory=list)
    events: list[Fault] = field(default_factory=list)  # what the controller did
    faults: list[Fault] = field(default_factory=list)  # what followed (a worker replaced)
    watchers: list[threading.Thread] = field(default_factory=list)
    kills: list[tuple[str, float]] = field(default_factory=list)  # (server, when)
    verified: Counter[str] = field(default_factory=Counter)  # by the JWKS's server
    unverified: list[str] = field(default_factory=list)
    client_errors: list[str] = field(default_factory=list)  # exceptions in the test's clients
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kinds(self) -> Counter[str]:
        return Counter(answer.kind for answer in self.answers)

    def latency_ms(self) -> tuple[float, float]:
        times = sorted(1000 * (a.ended - a.started) for a in self.answers) or [0.0]
        if len(times) < 2:
            return times[0], times[0]
        cuts = statistics.quantiles(times, n=100)
        return cuts[49], cuts[98]


def _client(
    cluster: Cluster,
    soak: Soak,
    verifiers: dict[str, IdTokenVerifier],
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            answer = id_assertion(cluster.balancer, cluster.session, cluster.account_id)
            if answer.kind == "token":
                _verify(soak, answer, verifiers)
        except Exception as exc:  # a client that dies would hide its failures
            with soak.lock:
                soak.client_errors.append(repr(exc))
            continue
        with soak.lock:
            soak.answers.append(answer)


def _verify(soak: Soak, answer: Answer, verifiers: dict[str, IdTokenVerifier]) -> None:
    """The RP's check, against the JWKS of the server that did not sign."""
    others = [name for name in verifiers if name != answer.served_by]
    try:
        if len(others) != 1:
            raise TokenVerificationError(f"X-Served-By {answer.served_by!r}")
        verifiers[others[0]].verify(answer.token, nonce=answer.nonce)
    except TokenVerificationError as exc:
        with soak.lock:
            soak.unverified.append(f"{answer.served_by} {answer.kid}: {exc!r}")
    else:
        with soak.lock:
            soak.verified[others[0]] += 1


def kill_a_worker(soak: Soak, cluster: Cluster, name: str) -> str:
    """SIGKILL one worker of server ``name``; a thread notes when gunicorn forked its successor."""
    server = cluster.servers[name]
    before = server.workers()
    victim = before[0]
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    soak.kills.append((name, killed_at))
    fault = Fault("worker restarted", killed_at - soak.started, f"server {name} worker {victim}")

    def watch() -> None:
        while time.monotonic() < killed_at + 30:
            now = server.workers()
            if len(now) == len(before) and victim not in now:
                fault.detail += f" after {time.monotonic() - killed_at:.1f} s"
                return
            time.sleep(0.05)
        fault.detail += " NOT within 30 s"

    soak.watchers.append(threading.Thread(target=watch, daemon=True))
    soak.watchers[-1].start()
    soak.faults.append(fault)
    return f"server {name} worker {victim}"


def rotate(soak: Soak, cluster: Cluster) -> str:
    """The documented procedure (docs/deployment.md): the key pre-published at
    the last step becomes active, and the next one is pre-published."""
    kid, started, ended = cluster.rotate()
    soak.rotations.append(Rotation(kid, started, ended))
    cluster.fedcm_keys("prepublish")
    return f"{kid} active ({1000 * (ended - started):.0f} ms), next key pre-published"


def terminate_connections(soak: Soak, cluster: Cluster) -> str:
    return f"{cluster.terminate_connections()} connections"


#: An event of the soak: (seconds into it, what, action(soak, cluster) -> detail).
Event = tuple[float, str, Callable[[Soak, Cluster], str]]


def run(
    cluster: Cluster,
    verifiers: dict[str, IdTokenVerifier],
    *,
    seconds: float,
    concurrency: int,
    events: list[Event],
) -> Soak:
    """``concurrency`` clients for ``seconds``; the events in order of their time."""
    soak = Soak(started=time.monotonic())
    stop = threading.Event()
    clients = [
        threading.Thread(target=_client, args=(cluster, soak, verifiers, stop), daemon=True)
        for _ in range(concurrency)
    ]
    for thread in clients:
        thread.start()
    for at, what, action in sorted(events, key=lambda event: event[0]):
        delay = soak.started + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        started = time.monotonic() - soak.started
        soak.events.append(Fault(what, started, action(soak, cluster)))
    remaining = soak.started + seconds - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    for thread in clients:
        thread.join(30)
    soak.seconds = time.monotonic() - soak.started
    for watcher in soak.watchers:
        watcher.join(31)
    return soak
