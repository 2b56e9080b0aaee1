"""Answer certification questions from plain values, without Django.

Given a candidate's results, approved experience and training, and a date,
the functions here tell whether the candidate may register for a test (and
why not), each credential's status and expiry, which designations are held,
at risk or in progress, and the qualifying months per experience rule.
"""

from __future__ import annotations

from wrenchmark.rules.blue_seal import (
    BLUE_SEAL_SHARE,
    AreaCoverage,
    BlueSealStatus,
    Certification,
    CertificationRecord,
    Lapse,
    blue_seal_status,
)
from wrenchmark.rules.credentials import (
    CredentialState,
    add_years,
    credential_adjusted,
    credential_state,
    credential_states,
)
from wrenchmark.rules.designations import DesignationProgress, designation_progress
from wrenchmark.rules.eligibility import Eligibility, Refusal, registration_eligibility
from wrenchmark.rules.experience import ExperienceProgress, qualifying_months
from wrenchmark.rules.types import (
    WITHDRAWN,
    DesignationRule,
    Employment,
    ExperienceRule,
    Outcome,
    Policy,
    PrerequisiteGroup,
    Result,
    Status,
    TestRule,
    Training,
)

__all__ = [
    "BLUE_SEAL_SHARE",
    "WITHDRAWN",
    "AreaCoverage",
    "BlueSealStatus",
    "Certification",
    "CertificationRecord",
    "CredentialState",
    "DesignationProgress",
    "DesignationRule",
    "Eligibility",
    "Employment",
    "ExperienceProgress",
    "ExperienceRule",
    "Lapse",
    "Outcome",
    "Policy",
    "PrerequisiteGroup",
    "Refusal",
    "Result",
    "Status",
    "TestRule",
    "Training",
    "add_years",
    "blue_seal_status",
    "credential_adjusted",
    "credential_state",
    "credential_states",
    "designation_progress",
    "qualifying_months",
    "registration_eligibility",
]
