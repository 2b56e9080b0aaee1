"""A candidate's standing: credentials, designations, experience and eligibility, from the pure rules.

This is the bridge between the database and ``wrenchmark.rules``: it turns rows into plain rule inputs,
calls the rules once, and hands the pages plain results. Nothing here is stored, so nothing goes stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Designation, Edition, Test
from wrenchmark.catalog.selectors import catalog_test_list, designation_list, edition_in_force
from wrenchmark.core import clock
from wrenchmark.credentials.models import WITHDRAWN_STATUSES, Credential, CredentialExtension
from wrenchmark.experience.selectors import RequirementStanding, experience_standing
from wrenchmark.rules import (
    CredentialState,
    DesignationProgress,
    DesignationRule,
    Eligibility,
    Outcome,
    Policy,
    PrerequisiteGroup,
    Result,
    Status,
    TestRule,
    credential_states,
    designation_progress,
    registration_eligibility,
)
from wrenchmark.scoring.selectors import result_list_for_candidate


def policy_for(edition: Edition) -> Policy:
    return Policy(
        validity_years=edition.policy("validity_years"),
        retake_wait_days=edition.policy("retake_wait_days"),
        expiring_notice_days=edition.policy("expiring_notice_days"),
    )


def test_rules_for(tests: list[Test], standings: list[RequirementStanding]) -> dict[str, TestRule]:
    from wrenchmark.experience.selectors import rule_for

    rules_by_requirement = {s.requirement.pk: rule_for(s.requirement) for s in standings}
    return {
        test.code: TestRule(
            code=test.code,
            experience=rules_by_requirement.get(test.experience_requirement_id)
            if test.experience_requirement_id
            else None,
            prerequisites=tuple(
                PrerequisiteGroup(kind=group["kind"], any_of=tuple(group["any_of"]))
                for group in test.prerequisites
            ),
            recertifies=test.recertifies.code if test.recertifies else None,
        )
        for test in tests
    }


def designation_rule_for(designation: Designation) -> DesignationRule:
    return DesignationRule(
        code=designation.code,
        name=designation.name,
        all_of=tuple(t.code for t in designation.all_of.all()),
        any_of=tuple(t.code for t in designation.any_of.all()),
        min_any=designation.min_any,
    )


@dataclass(frozen=True, slots=True)
class CredentialRow:
    test: Test
    state: CredentialState


@dataclass(frozen=True, slots=True)
class DesignationCard:
    progress: DesignationProgress
    next_steps: list[tuple[str, Eligibility]]


@dataclass(frozen=True, slots=True)
class Standing:
    on: dt.date
    edition: Edition
    credentials: list[CredentialRow]
    designations: list[DesignationProgress]
    experience: list[RequirementStanding]
    results: list[Result]
    tests: dict[str, Test]
    rules: dict[str, TestRule]
    policy: Policy

    @property
    def at_risk(self) -> list[CredentialRow]:
        """Credentials that expire within the notice window, soonest first."""
        rows = [row for row in self.credentials if row.state.status == Status.EXPIRING]
        return sorted(rows, key=lambda row: row.state.expires_on)

    @property
    def designations_in_progress(self) -> list[DesignationCard]:
        """Designations held, or of which at least one component is current, with what to take next."""
        return [
            DesignationCard(
                progress=d,
                next_steps=[(code, self.eligibility(code)) for code in d.missing if code in self.rules],
            )
            for d in self.designations
            if d.held or d.achieved
        ]

    @property
    def experience_that_matters(self) -> list[RequirementStanding]:
        """Requirements of the tests the candidate has results in; otherwise those with months counted."""
        tested = {result.test_code for result in self.results}
        tested |= {self.rules[code].recertifies or code for code in tested if code in self.rules}
        relevant = [s for s in self.experience if tested & {t.code for t in s.tests}]
        return relevant or [s for s in self.experience if s.progress.total_months]

    def eligibility(self, code: str) -> Eligibility:
        return registration_eligibility(
            test=self.rules[code],
            results=self.results,
            states={row.test.code: row.state for row in self.credentials},
            on=self.on,
            policy=self.policy,
        )


def recorded_adjustments(
    candidate: User,
) -> tuple[dict[str, Status], dict[str, dict[dt.date, dt.date]]]:
    """What is recorded beside the results: withdrawals (suspended, revoked) and renewal-program
    extensions, by test code, for the rules to apply."""
    withdrawn = {
        code: Status(status)
        for code, status in Credential.objects.filter(
            holder=candidate, status__in=WITHDRAWN_STATUSES
        ).values_list("test_code", "status")
    }
    extensions: dict[str, dict[dt.date, dt.date]] = {}
    for code, start, end in CredentialExtension.objects.filter(credential__holder=candidate).values_list(
        "credential__test_code", "from_expiry", "to_expiry"
    ):
        extensions.setdefault(code, {})[start] = end
    return withdrawn, extensions


def candidate_standing(*, candidate: User, on: dt.date | None = None) -> Standing:
    """Compute everything the dashboard shows about ``candidate`` on ``on`` (today by default)."""
    on = on or clock.today()
    edition = edition_in_force(on=on)
    tests = {t.code: t for t in catalog_test_list(edition=edition)}
    experience = experience_standing(candidate=candidate, edition=edition, on=on)
    rules = test_rules_for(list(tests.values()), experience)
    policy = policy_for(edition)
    results = [
        Result(test_code=r.test.code, taken_on=r.taken_on, outcome=Outcome(r.outcome))
        for r in result_list_for_candidate(candidate)
    ]
    withdrawn, extensions = recorded_adjustments(candidate)
    states = credential_states(
        tests=rules,
        results=results,
        experience_by_rule={s.requirement.code: s.progress for s in experience},
        on=on,
        policy=policy,
        extensions_by_code=extensions,
        withdrawn_by_code=withdrawn,
    )
    credentials = sorted(
        (CredentialRow(test=tests[code], state=state) for code, state in states.items() if code in tests),
        key=lambda row: row.test.position,
    )
    designations = [
        designation_progress(designation=designation_rule_for(d), states=states, on=on)
        for d in designation_list(edition=edition)
    ]
    return Standing(
        on=on,
        edition=edition,
        credentials=credentials,
        designations=designations,
        experience=experience,
        results=results,
        tests=tests,
        rules=rules,
        policy=policy,
    )
