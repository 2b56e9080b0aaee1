"""Exam-delivery load benchmark: ``make bench``.

For each database (SQLite always; PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set), on loopback:

1. a fresh database with the ASE catalog, a stocked A5 bank and a published form, and N signed-in
   candidates (sessions made directly, so setup does not time password hashing);
2. gunicorn (2 x cores + 1 sync workers) serving the product with production-like settings;
3. N candidates press Start at the same moment (the start-of-exam spike), then each loads a question and
   saves an answer K times with a short think time, then submits;
4. the same machine's ceiling: single-statement upserts (INSERT ... ON CONFLICT DO UPDATE ... WHERE
   seq < excluded.seq) on the same database from 16 threads for 10 seconds.

It prints errors, saves per second, p50/p99 latencies and the save rate as a share of the ceiling.
Bounded: every phase has a time cap and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters: a valid unmasked CSRF secret


def bench_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.bench"})
    return env


# --------------------------------------------------------------------------------------------------
# Setup (runs inside Django, in a subprocess, with the bench settings)
# --------------------------------------------------------------------------------------------------


def setup(candidates: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from wrenchmark.accounts.models import Role, User
    from wrenchmark.accounts.program_ids import format_program_id
    from wrenchmark.accounts.services import user_create
    from wrenchmark.catalog.models import Test
    from wrenchmark.catalog.services import catalog_load
    from wrenchmark.exams.services import admission_grant, form_assemble, form_publish, form_set_cut
    from wrenchmark.itembank.models import Item, ItemState
    from wrenchmark.itembank.services import ItemContent, OptionInput, item_create

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(CEILING_TABLE)
    edition, _ = catalog_load(path=ROOT / "wrenchmark" / "catalog" / "data" / "ase-2026-07.yaml")
    writer = user_create(
        email="writer@bench.invalid",
        password=None,
        first_name="Bench",
        last_name="Writer",
        roles=(Role.ITEM_WRITER,),
    )
    staff = user_create(
        email="psy@bench.invalid",
        password=None,
        first_name="Bench",
        last_name="Psy",
        roles=(Role.PSYCHOMETRICIAN,),
    )
    test = Test.objects.get(edition=edition, code="A5")
    for area in test.content_areas.all():
        for n in range((area.question_count or 0) + 3):
            options = [OptionInput(f"Option {i} for {area.letter}{n}", "why", i == n % 4) for i in range(4)]
            content = ItemContent(
                area=area,
                style="most_likely",
                stem=f"Bench scenario {area.letter}{n}: which is the MOST likely cause?",
                options=options,
            )
            item = item_create(test=test, pool="operational", content=content, acting_user=writer)
            Item.objects.filter(pk=item.pk).update(
                state=ItemState.OPERATIONAL if n < (area.question_count or 0) else ItemState.APPROVED
            )
    form = form_assemble(test=test, acting_user=staff, seed=1)
    form_set_cut(form=form, acting_user=staff, raw=32)
    form_publish(form=form, acting_user=staff)
    users = User.objects.bulk_create(
        User(
            email=f"c{n}@bench.invalid",
            username=f"c{n}@bench.invalid",
            first_name="Cand",
            last_name=str(n),
            program_id=format_program_id("WM", f"1{n:06d}"),
            password="!",
        )
        for n in range(candidates)
    )
    proctor = user_create(
        email="proctor@bench.invalid",
        password=None,
        first_name="Bench",
        last_name="Proctor",
        roles=(Role.PROCTOR,),
    )
    sessions = []
    for user in User.objects.filter(pk__in=[u.pk for u in users]):
        admission_grant(candidate=user, test=test, acting_user=proctor)  # checked in, ready to start
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return {"form": form.pk, "sessions": sessions, "questions": form.form_items.count()}


# --------------------------------------------------------------------------------------------------
# Ceiling: the single-statement upsert over HTTP, on the same server, at the same concurrency
# --------------------------------------------------------------------------------------------------

CEILING_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_upsert "
    "(attempt INTEGER, item INTEGER, seq INTEGER, choice INTEGER, PRIMARY KEY (attempt, item))"
)


BURST_SECONDS = 10.0
BURST_CONCURRENCY = 128


async def ceiling(base: str, seconds: float = BURST_SECONDS, concurrency: int = BURST_CONCURRENCY) -> float:
    import httpx

    stop = time.monotonic() + seconds
    done = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker(index: int) -> None:
            nonlocal done
            rng = random.Random(index)
            seq = 0
            while time.monotonic() < stop:
                seq += 1
                body = {"attempt": index, "item": rng.randrange(55), "seq": seq, "choice": rng.randrange(4)}
                response = await client.post("/bench/upsert", json=body, headers={"Connection": "close"})
                if response.status_code == 200:
                    done += 1

        began = time.monotonic()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return done / (time.monotonic() - began)


# --------------------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------------------


def candidate_headers(base: str, session: str) -> dict[str, str]:
    """What a signed-in browser sends with each request: its session and CSRF cookies and token."""
    return {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Referer": base + "/",
    }


def attempt_from_start(response: httpx.Response) -> int:
    """The attempt a successful Start redirected to (``/exams/attempts/<id>/``)."""
    return int(response.headers["location"].rstrip("/").split("/")[-1])


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(base: str, form: int, sessions: list[str], saves: int, cap: float) -> dict[str, object]:
    import httpx

    timings: dict[str, list[float]] = {"start": [], "question": [], "save": [], "burst": [], "submit": []}
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
    deadline = time.monotonic() + cap

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, follow_redirects=False) as client:

        async def call(
            kind: str, method: str, url: str, session: str, **kwargs: object
        ) -> httpx.Response | None:
            headers = candidate_headers(base, session)
            began = time.perf_counter()
            try:
                response = await client.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
            except httpx.HTTPError as exc:
                errors[f"{kind}: {type(exc).__name__}"] = errors.get(f"{kind}: {type(exc).__name__}", 0) + 1
                return None
            timings[kind].append(time.perf_counter() - began)
            if response.status_code >= 400 or (kind == "start" and response.status_code != 302):
                errors[f"{kind}: HTTP {response.status_code}"] = (
                    errors.get(f"{kind}: HTTP {response.status_code}", 0) + 1
                )
            return response

        gate = asyncio.Event()

        sittings: list[tuple[str, int, list[int]]] = []

        async def candidate(session: str, rng: random.Random) -> None:
            await gate.wait()
            started = await call(
                "start", "POST", f"/exams/forms/{form}/start/", session, data={"csrfmiddlewaretoken": CSRF}
            )
            if started is None or started.status_code != 302:
                return
            attempt = attempt_from_start(started)
            seen: list[int] = []
            for position in range(saves):
                if time.monotonic() > deadline:
                    break
                question = await call(
                    "question", "GET", f"/api/v1/attempts/{attempt}/questions/{position}", session
                )
                if question is None or question.status_code != 200:
                    continue
                seen.append(question.json()["form_item"])
                await asyncio.sleep(rng.uniform(0.2, 1.0))
                body = {
                    "form_item": seen[-1],
                    "choice": rng.choice("ABCD"),
                    "seq": position + 1,
                    "position": position,
                }
                await call("save", "POST", f"/api/v1/attempts/{attempt}/responses", session, json=body)
            sittings.append((session, attempt, seen))

        async def burst(
            session: str, attempt: int, items: list[int], stop: float, rng: random.Random
        ) -> None:
            # Saves back to back with no think time: the save path at saturation, next to the ceiling.
            seq = 1000
            while items and time.monotonic() < stop:
                seq += 1
                body = {"form_item": rng.choice(items), "choice": rng.choice("ABCD"), "seq": seq}
                await call("burst", "POST", f"/api/v1/attempts/{attempt}/responses", session, json=body)

        tasks = [asyncio.create_task(candidate(s, random.Random(i))) for i, s in enumerate(sessions)]
        began = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - began
        burst_began = time.monotonic()
        burst_stop = burst_began + BURST_SECONDS
        await asyncio.gather(
            *(
                burst(s, a, i, burst_stop, random.Random(n))
                for n, (s, a, i) in enumerate(sittings[:BURST_CONCURRENCY])
            )
        )
        burst_elapsed = time.monotonic() - burst_began
        await asyncio.gather(
            *(call("submit", "POST", f"/api/v1/attempts/{a}/submit", s) for s, a, _ in sittings)
        )
    return {
        "elapsed": elapsed,
        "errors": errors,
        **{f"{kind}_count": len(values) for kind, values in timings.items()},
        **{f"{kind}_p50_ms": 1000 * _percentile(values, 0.5) for kind, values in timings.items()},
        **{f"{kind}_p99_ms": 1000 * _percentile(values, 0.99) for kind, values in timings.items()},
        "start_spike_s": max(timings["start"]) if timings["start"] else float("nan"),
        "saves_per_s": len(timings["save"]) / elapsed if elapsed else 0.0,
        "burst_saves_per_s": len(timings["burst"]) / burst_elapsed if burst_elapsed else 0.0,
    }


# --------------------------------------------------------------------------------------------------
# One backend
# --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(database_url: str) -> None:
    import dj_database_url

    config = dj_database_url.parse(database_url)
    if config["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(str(config["NAME"]) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
        connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def prepare(database_url: str, candidates: int) -> dict[str, Any]:
    """A fresh database with the catalog, a stocked A5 bank, a published form and ``candidates``
    signed-in candidates: ``{"form": id, "sessions": [session keys], "questions": count}``."""
    fresh_database(database_url)
    prepared = subprocess.run(
        [PY, __file__, "--setup", "--candidates", str(candidates)],
        env=bench_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    data: dict[str, Any] = json.loads(prepared.stdout.strip().splitlines()[-1])
    return data


def start_server(database_url: str, workers: int, port: int, **popen: Any) -> subprocess.Popen[bytes]:
    """gunicorn with ``workers`` sync workers and the bench settings on 127.0.0.1:``port``; returns at
    once (see ``wait_for_port``)."""
    return subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env={**bench_env(database_url), "DJANGO_SETTINGS_MODULE": "config.settings.bench"},
        cwd=ROOT,
        **popen,
    )


def wait_for_port(port: int, attempts: int = 100) -> None:
    for _ in range(attempts):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)


def run_backend(
    name: str, database_url: str, candidates: int, saves: int, workers: int, cap: float
) -> dict[str, object]:
    data = prepare(database_url, candidates)
    port = free_port()
    server = start_server(database_url, workers, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_port(port)
        result = asyncio.run(load(base, int(data["form"]), list(data["sessions"]), saves, cap))
        result["ceiling_per_s"] = asyncio.run(ceiling(base))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["save_share_of_ceiling"] = float(result["burst_saves_per_s"]) / float(result["ceiling_per_s"])  # type: ignore[arg-type]
    result["backend"] = name
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--saves", type=int, default=10, help="answers saved per candidate")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--cap", type=float, default=180.0, help="seconds after which candidates stop")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.setup:
        print(json.dumps(setup(args.candidates)))
        return 0
    backends = [("SQLite", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")]
    postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if postgres:
        backends.append(("PostgreSQL", postgres.rsplit("/", 1)[0] + "/wrenchmark_bench"))
    (ROOT / "var").mkdir(exist_ok=True)
    command = (
        f"make bench  # {args.candidates} candidates x {args.saves} saves, {args.workers} gunicorn workers"
    )
    print(f"$ {command}")
    for name, url in backends:
        r = run_backend(name, url, args.candidates, args.saves, args.workers, args.cap)
        print(
            f"{name}: start spike {r['start_count']} starts, all done in {r['start_spike_s']:.1f} s "
            f"(p50 {r['start_p50_ms']:.0f} ms, p99 {r['start_p99_ms']:.0f} ms); "
            f"sitting saves {r['save_count']} (p50 {r['save_p50_ms']:.0f} ms, p99 {r['save_p99_ms']:.0f} ms); "
            f"saves back to back {r['burst_saves_per_s']:.0f}/s (p50 {r['burst_p50_ms']:.0f} ms, p99 {r['burst_p99_ms']:.0f} ms); "
            f"ceiling {r['ceiling_per_s']:.0f} single-statement upserts/s over HTTP; saves at {100 * float(r['save_share_of_ceiling']):.0f} % of the ceiling; "  # type: ignore[arg-type]
            f"submits {r['submit_count']}; errors {r['errors'] or 'none'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
