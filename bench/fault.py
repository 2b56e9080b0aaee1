"""Fault test for G1, no acknowledged answer is ever lost: ``make fault``.

On loopback, against a private throwaway PostgreSQL cluster (``initdb`` into a temporary directory, its
own port and socket directory, fsync and synchronous_commit left on), never the machine's shared server:

1. the load benchmark's setup (bench/exam_load.py): the catalog, a stocked A5 bank, a published form,
   N signed-in candidates, and gunicorn with 2 x cores + 1 sync workers and the bench settings;
2. every candidate starts an attempt, loads a few questions, then saves answers with an increasing seq
   as the exam page does: a save that fails (connection error or 5xx) is sent again with the same seq
   after a capped exponential backoff with jitter, and every 2xx acknowledgement is logged;
3. meanwhile, for a bounded time, a random gunicorn worker is killed with SIGKILL every 1-3 s (the
   master starts a new one) and PostgreSQL is restarted twice with ``pg_ctl restart -m immediate``
   (a crash: no shutdown checkpoint, recovery from the WAL);
4. the load stops, gunicorn stops, PostgreSQL is stopped the same crash-like way once more and started
   again, and every acknowledged save is checked against what it recovered: the stored response for
   each (attempt, question) has a seq at least the highest acknowledged one, and the same choice when
   the seq is equal.

Exits 1 if any acknowledged save is missing, or if no save was acknowledged after one of the restarts
(the run must have gone through recovery to prove anything). Without PostgreSQL server binaries it
prints one line saying so and exits 2 (0 with ``--if-available``, which ``make bench`` uses).
Bounded: an overall time cap; gunicorn, the cluster and the temporary directory are removed on every
exit, including Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import exam_load  # noqa: E402

LETTERS = "ABCD"
QUESTIONS = 5  # questions each candidate loads and then answers (and changes its answers to) over and over
THINK = (0.1, 0.5)  # seconds between two saves of one candidate
RETRY_FIRST, RETRY_CAP = 1.0, 10.0  # the exam page's backoff (1 s, doubling, at most 10 s), jittered
STOP_GRACE = 20.0  # seconds the saves in flight get to finish once the load stops
DATABASE = "wrenchmark_fault"


# --------------------------------------------------------------------------------------------------
# A private PostgreSQL cluster
# --------------------------------------------------------------------------------------------------


def server_bindir() -> tuple[Path | None, str]:
    """The directory holding initdb, pg_ctl and postgres, or None and why not."""
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            found.append(Path(result.stdout.strip()))

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=major, reverse=True)
    for bindir in found:
        if all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return bindir, ""
    return (
        None,
        "no PostgreSQL server binaries (initdb, pg_ctl) in pg_config --bindir or /usr/lib/postgresql/*/bin",
    )


@dataclass
class Cluster:
    """A throwaway cluster in ``root`` listening on 127.0.0.1:``port``. As root, every command runs as
    the ``postgres`` OS user (the server refuses to run as root) and ``root`` belongs to that user."""

    bindir: Path
    root: Path
    port: int
    run_as: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def version(self) -> str:
        out = self._run("pg_ctl", "--version")
        match = re.search(r"\(PostgreSQL\) (\d+)", out)
        return match.group(1) if match else out.strip()

    def _run(self, program: str, *args: str, timeout: float = 120) -> str:
        command = [*self.run_as, str(self.bindir / program), *args]
        try:
            result = subprocess.run(
                command, cwd=self.root, capture_output=True, text=True, check=True, timeout=timeout
            )
        except subprocess.CalledProcessError as exc:
            log = self.root / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{exc.stderr}{exc.stdout}\n{tail}") from exc
        return result.stdout

    def _pg_ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "postgres.log")
        # -l: the server must not inherit our pipes, or pg_ctl's caller would wait on them.
        self._run("pg_ctl", action, "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60", *args)

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def restart_immediate(self) -> None:
        """Crash-like: the server stops without a checkpoint and recovers from the WAL on start."""
        self._pg_ctl("restart", "-m", "immediate")

    def stop_immediate(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30")

    def durability_settings(self) -> dict[str, str]:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as conn:
            return {
                name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
                for name in ("fsync", "synchronous_commit")
            }

    def remove(self) -> None:
        """Stop the server if it runs (by its postmaster's pid if pg_ctl cannot) and delete the files."""
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists():
            try:
                self.stop_immediate()
            except (RuntimeError, subprocess.TimeoutExpired):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def make_cluster(bindir: Path) -> Cluster:
    run_as: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="wrenchmark-fault-"))
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
            run_as = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Cluster(bindir=bindir, root=root, port=exam_load.free_port(), run_as=run_as)


# --------------------------------------------------------------------------------------------------
# gunicorn's workers
# --------------------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (gunicorn's master: its workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (it was started in its own process group): gracefully, then by force."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)  # any worker the master left behind


# --------------------------------------------------------------------------------------------------
# Candidates and chaos
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    attempt: int
    form_item: int
    seq: int
    choice: str | None  # the letter sent, when the acknowledgement is for the seq sent
    sent: float  # time.monotonic() when the acknowledged request was sent


@dataclass
class Tally:
    acks: list[Ack] = field(default_factory=list)
    retried: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    killed: int = 0
    restarts: list[float] = field(default_factory=list)  # time.monotonic() when each restart was done


def backoff(failures: int, rng: random.Random) -> float:
    return min(RETRY_CAP, RETRY_FIRST * 2**failures) * rng.uniform(0.5, 1.0)


async def sit_down(client: httpx.AsyncClient, base: str, form: int, session: str) -> tuple[int, list[int]]:
    """Start an attempt and load its first questions: the attempt and the questions' form items."""
    headers = {**exam_load.candidate_headers(base, session), "Connection": "close"}
    started = await client.post(
        f"/exams/forms/{form}/start/", data={"csrfmiddlewaretoken": exam_load.CSRF}, headers=headers
    )
    if started.status_code != 302:
        raise RuntimeError(f"start: HTTP {started.status_code}")
    attempt = exam_load.attempt_from_start(started)
    items = []
    for position in range(QUESTIONS):
        question = await client.get(f"/api/v1/attempts/{attempt}/questions/{position}", headers=headers)
        question.raise_for_status()
        items.append(int(question.json()["form_item"]))
    return attempt, items


async def candidate(
    client: httpx.AsyncClient,
    base: str,
    session: str,
    attempt: int,
    items: list[int],
    rng: random.Random,
    stop: asyncio.Event,
    tally: Tally,
) -> None:
    """Answer and change answers with an increasing seq until ``stop``; each save is retried with the
    same seq after a connection error or a 5xx, with a capped backoff, until acknowledged or refused."""
    headers = {**exam_load.candidate_headers(base, session), "Connection": "close"}
    url = f"/api/v1/attempts/{attempt}/responses"
    seq = 0
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(*THINK))
        if stop.is_set():
            return
        seq += 1
        position = rng.randrange(len(items))
        letter = rng.choice(LETTERS)
        body = {"form_item": items[position], "choice": letter, "seq": seq, "position": position}
        failures = 0
        while True:
            sent = time.monotonic()
            try:
                response = await client.post(url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                tally.retried[type(exc).__name__] += 1
            else:
                if response.is_success:
                    ack = response.json()
                    tally.acks.append(
                        Ack(
                            attempt,
                            int(ack["form_item"]),
                            int(ack["seq"]),
                            letter if ack["seq"] == seq else None,
                            sent,
                        )
                    )
                    break
                if response.status_code < 500:
                    tally.refused[f"HTTP {response.status_code}"] += 1
                    break
                tally.retried[f"HTTP {response.status_code}"] += 1
            if stop.is_set():
                return
            await asyncio.sleep(backoff(failures, rng))
            failures += 1


async def kill_workers(master: int, until: float, rng: random.Random, tally: Tally) -> None:
    while True:
        pause = rng.uniform(1.0, 3.0)
        if time.monotonic() + pause >= until:
            return
        await asyncio.sleep(pause)
        workers = children(master)
        if workers:
            try:
                os.kill(rng.choice(workers), signal.SIGKILL)
                tally.killed += 1
            except ProcessLookupError:
                pass


async def restart_database(cluster: Cluster, began: float, seconds: float, tally: Tally) -> None:
    for share in (0.3, 0.65):
        await asyncio.sleep(max(0.0, began + share * seconds - time.monotonic()))
        await asyncio.to_thread(cluster.restart_immediate)
        tally.restarts.append(time.monotonic())


async def run_load(
    base: str, master: int, cluster: Cluster, form: int, sessions: list[str], seconds: float, seed: int
) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=len(sessions) + 8, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, follow_redirects=False) as client:
        seated = await asyncio.gather(*(sit_down(client, base, form, s) for s in sessions))
        stop = asyncio.Event()
        candidates = [
            asyncio.create_task(
                candidate(client, base, s, attempt, items, random.Random(seed + n), stop, tally)
            )
            for n, (s, (attempt, items)) in enumerate(zip(sessions, seated, strict=True))
        ]
        began = time.monotonic()
        rng = random.Random(seed)
        await asyncio.gather(
            kill_workers(master, began + seconds, rng, tally),
            restart_database(cluster, began, seconds, tally),
        )
        await asyncio.sleep(max(0.0, began + seconds - time.monotonic()))
        stop.set()
        _, pending = await asyncio.wait(candidates, timeout=STOP_GRACE)
        for task in pending:
            task.cancel()
        await asyncio.gather(*candidates, return_exceptions=True)
    return tally


# --------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------


def dump() -> dict[str, Any]:
    """Every stored response and every attempt's option order (runs inside Django)."""
    import django

    django.setup()
    from wrenchmark.exams.models import Attempt, Response

    return {
        "responses": list(Response.objects.values_list("attempt_id", "form_item_id", "client_seq", "choice")),
        "option_orders": {str(a.pk): a.option_orders for a in Attempt.objects.all()},
    }


def missing_acks(acks: list[Ack], stored: dict[str, Any]) -> list[str]:
    """Acknowledged saves the database does not hold: for each (attempt, form item), the highest
    acknowledged seq must be stored, or a higher one; at an equal seq, with the acknowledged choice."""
    latest: dict[tuple[int, int], Ack] = {}
    for ack in acks:
        key = (ack.attempt, ack.form_item)
        if key not in latest or ack.seq > latest[key].seq:
            latest[key] = ack
    rows = {(a, fi): (seq, choice) for a, fi, seq, choice in stored["responses"]}
    missing = []
    for (attempt, form_item), ack in sorted(latest.items()):
        row = rows.get((attempt, form_item))
        if row is None:
            missing.append(f"attempt {attempt} item {form_item}: seq {ack.seq} acknowledged, nothing stored")
            continue
        seq, choice = row
        if seq < ack.seq:
            missing.append(
                f"attempt {attempt} item {form_item}: seq {ack.seq} acknowledged, seq {seq} stored"
            )
        elif seq == ack.seq and ack.choice is not None:
            expected = stored["option_orders"][str(attempt)][str(form_item)][LETTERS.index(ack.choice)]
            if choice != expected:
                missing.append(
                    f"attempt {attempt} item {form_item}: seq {seq} stored with option {choice}, "
                    f"option {expected} ({ack.choice}) acknowledged"
                )
    return missing


def read_back(database_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [exam_load.PY, __file__, "--dump"],
        env=exam_load.bench_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    stored: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return stored


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


class CapReached(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise CapReached


def _on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace, bindir: Path) -> int:
    cluster = make_cluster(bindir)
    server: subprocess.Popen[bytes] | None = None
    server_log, server_log_tail = cluster.root / "gunicorn.log", ""
    try:
        cluster.init()
        cluster.start()
        settings = cluster.durability_settings()
        if settings["fsync"] != "on" or settings["synchronous_commit"] != "on":
            print(
                f"Fault test refused: the cluster must keep fsync and synchronous_commit on, got {settings}"
            )
            return 1
        version = cluster.version()
        data = exam_load.prepare(cluster.url, args.candidates)
        port = exam_load.free_port()
        with server_log.open("wb") as log:  # its workers' SIGKILL reports and any error go there
            server = exam_load.start_server(
                cluster.url, args.workers, port, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
            )
        exam_load.wait_for_port(port)
        tally = asyncio.run(
            run_load(
                f"http://127.0.0.1:{port}",
                server.pid,
                cluster,
                int(data["form"]),
                list(data["sessions"]),
                args.seconds,
                args.seed,
            )
        )
        stop_server(server)
        cluster.stop_immediate()
        cluster.start()
        missing = missing_acks(tally.acks, read_back(cluster.url))
    finally:
        # Cleanup must not be cut short by the cap or a second signal.
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if server is not None:
            stop_server(server)
        if server_log.exists():
            server_log_tail = server_log.read_text(errors="replace")[-3000:]
        cluster.remove()

    windows = [*tally.restarts[1:], float("inf")]
    after = [
        sum(1 for ack in tally.acks if start <= ack.sent < end)
        for start, end in zip(tally.restarts, windows, strict=True)
    ]
    acknowledged = ", ".join(f"{n} after restart {i + 1}" for i, n in enumerate(after)) or "no restart"
    retried = ", ".join(f"{kind} {n}" for kind, n in tally.retried.most_common()) or "none"
    refused = ", ".join(f"{kind} {n}" for kind, n in tally.refused.most_common()) or "none"
    for line in missing[:10]:
        print(f"  missing: {line}")
    print(
        f"Fault test (PostgreSQL {version}, {args.candidates} candidates, {args.seconds:g} s, "
        f"{args.workers} gunicorn workers): {len(tally.acks)} saves acknowledged ({acknowledged}), "
        f"{sum(tally.retried.values())} retried ({retried}), {sum(tally.refused.values())} refused "
        f"({refused}), {tally.killed} workers killed, {len(tally.restarts)} database restarts under load "
        f"and 1 before the check; acknowledged saves missing from the database: {len(missing)}"
    )
    if len(after) < 2 or not all(after):
        print("Fault test failed: no save was acknowledged after one of the database restarts")
    elif not missing:
        return 0
    print(f"gunicorn's log ended with:\n{server_log_tail}")
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="how long workers are killed and the database restarted"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cap", type=float, default=900.0, help="seconds after which the whole run is stopped"
    )
    parser.add_argument(
        "--if-available", action="store_true", help="exit 0 when there is no PostgreSQL server to test"
    )
    parser.add_argument("--dump", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dump:
        print(json.dumps(dump()))
        return 0
    bindir, why = server_bindir()
    if bindir is not None and os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            bindir, why = None, "running as root and there is no postgres user to run the server as"
    if bindir is None:
        print(f"Fault test skipped: {why}")
        return 0 if args.if_available else 2
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(max(1, int(args.cap)))
    try:
        return run(args, bindir)
    except CapReached:
        print(f"Fault test stopped: the {args.cap:g} s cap was reached")
        return 1
    except KeyboardInterrupt:
        print("Fault test interrupted")
        return 130
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
