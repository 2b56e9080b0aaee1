"""``manage.py demo_sit --test A5 --candidate ID [--answers correct|random|SEED] [--json]``.

Drives a candidate through a whole sitting of the test's published form with the same services the exam
page uses (a demo check-in, start, one save per question, submit) and prints the result and the
credential's status.
"""

from __future__ import annotations

import json
import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.program_ids import normalise_program_id
from wrenchmark.catalog.selectors import catalog_test_get, edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.credentials.selectors import credential_for_test
from wrenchmark.exams.models import AdmissionSource, FormItem
from wrenchmark.exams.selectors import published_form_for
from wrenchmark.exams.services import admission_grant, attempt_start, attempt_submit, response_save


class Command(BaseCommand):
    help = "Sit a published form as a candidate, through the exam services, and print the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--test", required=True, help="test code, e.g. A5")
        parser.add_argument("--candidate", required=True, help="the candidate's program ID or e-mail")
        parser.add_argument(
            "--answers", default="correct", help="correct, random, or a number (seed for random answers)"
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        program_id = normalise_program_id(options["candidate"])
        candidate = (
            User.objects.filter(program_id=program_id).first()
            if program_id
            else User.objects.filter(email__iexact=options["candidate"]).first()
        )
        if candidate is None:
            raise CommandError(f"no candidate has the program ID or e-mail {options['candidate']!r}")
        try:
            test = catalog_test_get(edition=edition_in_force(), code=options["test"])
        except NotFound as exc:
            raise CommandError(exc.message) from None
        form = published_form_for(test)
        if form is None:
            raise CommandError(f"{test.code} has no published form; run manage.py demo_load or publish one")
        mode = options["answers"]
        if mode not in ("correct", "random") and not mode.isdigit():
            raise CommandError("--answers must be correct, random or a number")
        rng = random.Random(int(mode) if mode.isdigit() else None)  # simulated answers, not secrets
        proctor = (
            User.objects.filter(role_grants__role__in=[Role.PROCTOR, Role.PROGRAM_ADMIN], is_active=True)
            .exclude(pk=candidate.pk)
            .order_by("-is_demo", "pk")
            .first()
        )
        if proctor is None:
            raise CommandError(
                "no proctor or program administrator to check the candidate in; run manage.py demo_load"
            )
        try:
            admission_grant(candidate=candidate, test=test, acting_user=proctor, source=AdmissionSource.DEMO)
            attempt = attempt_start(candidate=candidate, form=form, session_key="demo-sit")
            keys = {
                fi.pk: next(o.position for o in fi.version.options.all() if o.is_key)
                for fi in FormItem.objects.filter(form=form).prefetch_related("version__options")
            }
            for seq, form_item in enumerate(attempt.item_order, start=1):
                choice = keys[form_item] if mode == "correct" else rng.randrange(4)
                response_save(
                    attempt_id=attempt.pk,
                    candidate=candidate,
                    session_key="demo-sit",
                    form_item_id=form_item,
                    choice=choice,
                    flagged=False,
                    client_seq=seq,
                )
            report = attempt_submit(attempt_id=attempt.pk, candidate=candidate, session_key="demo-sit")
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        credential = credential_for_test(holder=candidate, test=test)
        result = {
            "candidate": candidate.program_id,
            "test": test.code,
            "form": form.code,
            "raw": report.raw,
            "scored": report.scored_total,
            "scaled": report.scaled,
            "passed": report.passed,
            "subscores": report.subscores,
            "credential_status": credential.status if credential else None,
            "expires_on": credential.expires_on.isoformat() if credential else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(
            f"{candidate.program_id} sat {form.code}: {report.raw}/{report.scored_total}, scaled {report.scaled}, "
            f"{'PASS' if report.passed else 'FAIL'}; credential: {result['credential_status'] or 'none'}"
        )
