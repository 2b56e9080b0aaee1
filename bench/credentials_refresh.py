"""Daily credential refresh at scale: ``make bench`` (after the exam load), or on its own.

For each database (SQLite always; PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set):

1. a fresh database with the ASE catalog and N holders, each with one certified A5 credential whose
   expiry is spread evenly over the next five years and the last 30 days (so one refresh moves about 5 %
   to expiring and 1.6 % to expired), and 0.5 % of them holding a designation;
2. ``credentials_refresh`` on that day, timed: the set-based status moves with their bulk audit rows,
   then the designation holders among the moved recomputed through the rules;
3. the same refresh again (idempotent: nothing moves);
4. the ceiling: the same status changes as two bare ``UPDATE`` statements on the same rows, no audit.

It prints credentials moved per second and the refresh's share of the ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exam_load import bench_env, fresh_database  # noqa: E402

DESIGNATION_SHARE = 0.005


def run(holders: int) -> dict[str, Any]:
    """Inside Django (bench settings): build the data, refresh, refresh again, then the ceiling."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from wrenchmark.accounts.models import User
    from wrenchmark.accounts.program_ids import format_program_id
    from wrenchmark.catalog.models import Test
    from wrenchmark.catalog.services import catalog_load
    from wrenchmark.credentials.models import (
        Credential,
        CredentialStatus,
        DesignationHolding,
        DesignationStatus,
    )
    from wrenchmark.credentials.services import credentials_refresh

    call_command("migrate", verbosity=0)
    edition, _ = catalog_load(path=ROOT / "wrenchmark" / "catalog" / "data" / "ase-2026-07.yaml")
    test = Test.objects.get(edition=edition, code="A5")
    day = dt.date(2026, 11, 28)
    span = 5 * 365 + 30
    built = time.perf_counter()
    batch = 10_000
    for start in range(0, holders, batch):
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    username=f"holder{n}",
                    email=f"holder{n}@bench.test",
                    program_id=format_program_id("WM", f"{n:07d}"),
                    password="!",  # unusable: the holders never sign in
                    first_name="Holder",
                    last_name=str(n),
                )
                for n in range(start, min(start + batch, holders))
            )
            credentials = []
            for user in users:
                expires_on = day - dt.timedelta(days=30) + dt.timedelta(days=(user.pk * 7919) % span)
                passed_on = expires_on - dt.timedelta(days=5 * 365)
                credentials.append(
                    Credential(
                        holder=user,
                        test_code="A5",
                        test=test,
                        status=CredentialStatus.CERTIFIED,
                        passed_on=passed_on,
                        certified_on=passed_on,
                        expires_on=expires_on,
                    )
                )
            Credential.objects.bulk_create(credentials)
            step = int(1 / DESIGNATION_SHARE)
            DesignationHolding.objects.bulk_create(
                DesignationHolding(
                    holder=user,
                    code="master-auto",
                    name="Master Automobile Technician",
                    status=DesignationStatus.HELD,
                    held_since=day - dt.timedelta(days=400),
                    achieved_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                )
                for user in users[::step]
            )
    built = time.perf_counter() - built

    started = time.perf_counter()
    first = credentials_refresh(on=day)
    refresh_s = time.perf_counter() - started
    started = time.perf_counter()
    again = credentials_refresh(on=day)
    again_s = time.perf_counter() - started

    moved = first.expiring + first.expired
    # The ceiling: put the moved rows back, then the same moves as two bare UPDATEs.
    Credential.objects.update(status=CredentialStatus.CERTIFIED)
    notice = edition.policy("expiring_notice_days")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE credentials_credential SET status = %s WHERE status = %s AND expires_on < %s",
            ["expired", "certified", day],
        )
        cursor.execute(
            "UPDATE credentials_credential SET status = %s WHERE status = %s AND expires_on >= %s "
            "AND expires_on < %s",
            ["expiring", "certified", day, day + dt.timedelta(days=notice)],
        )
    ceiling_s = time.perf_counter() - started
    return {
        "holders": holders,
        "build_s": round(built, 1),
        "expiring": first.expiring,
        "expired": first.expired,
        "recomputed": first.holders,
        "refresh_s": round(refresh_s, 2),
        "moved_per_s": round(moved / refresh_s),
        "again_moved": again.expiring + again.expired,
        "again_s": round(again_s, 3),
        "ceiling_per_s": round(moved / ceiling_s),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--holders", type=int, default=200_000)
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(run(args.holders)))
        return 0
    backends = [("SQLite", f"sqlite:///{ROOT / 'var' / 'bench-credentials.sqlite3'}")]
    postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if postgres:
        backends.append(("PostgreSQL", postgres.rsplit("/", 1)[0] + "/wrenchmark_bench"))
    (ROOT / "var").mkdir(exist_ok=True)
    print(f"$ .venv/bin/python bench/credentials_refresh.py --holders {args.holders}")
    for name, url in backends:
        fresh_database(url)
        completed = subprocess.run(
            [sys.executable, __file__, "--run", "--holders", str(args.holders)],
            env=bench_env(url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if completed.returncode != 0:
            print(f"{name}: failed\n{completed.stderr[-2000:]}")
            return 1
        r = json.loads(completed.stdout.strip().splitlines()[-1])
        share = r["moved_per_s"] / r["ceiling_per_s"]
        print(
            f"{name}: {r['holders']} credentials; refresh moved {r['expiring']} to expiring and {r['expired']} "
            f"to expired with an audit row each, and recomputed {r['recomputed']} designation holders, in "
            f"{r['refresh_s']} s ({r['moved_per_s']}/s); bare UPDATEs {r['ceiling_per_s']}/s; refresh at "
            f"{share:.0%} of the bare UPDATE rate; second run moved {r['again_moved']} in {r['again_s']} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
