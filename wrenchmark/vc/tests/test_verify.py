"""Check the end-to-end verifier: status lists, validity period, trusted issuers, JWTs, the report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wrenchmark.vc import (
    VerificationReport,
    encode_bitstring,
    jwt_encode,
    sign_credential,
    status_entry,
    verification_method,
    verify_credential,
)
from wrenchmark.vc.tests.factories import (
    EXPIRES_AT,
    ISSUED_AT,
    ISSUER_DID,
    ISSUER_KEY,
    ISSUER_VM,
    OTHER_DID,
    OTHER_KEY,
    REVOCATION_LIST,
    STATUS_INDEX,
    SUSPENSION_LIST,
    StatusLists,
    badge,
    both_status_entries,
    leaves,
    signed_badge,
    with_leaf,
)

NOW = ISSUED_AT + timedelta(days=30)


@pytest.fixture
def lists() -> StatusLists:
    lists = StatusLists()
    lists.publish(REVOCATION_LIST, "revocation")
    lists.publish(SUSPENSION_LIST, "suspension")
    return lists


def verify(document: Any, lists: StatusLists | None = None, **kwargs: Any) -> VerificationReport:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("trusted_issuers", {ISSUER_DID})
    return verify_credential(document, status_fetcher=lists.fetch if lists else None, **kwargs)


def test_a_fresh_badge_is_valid_on_every_check(lists: StatusLists) -> None:
    report = verify(signed_badge(), lists)

    assert report.verified
    assert report.status == "valid"
    assert [(check.name, check.ok) for check in report.checks] == [
        ("signature", True),
        ("schema", True),
        ("issuer", True),
        ("expiry", True),
        ("status", True),
    ]
    assert lists.fetched == [REVOCATION_LIST]
    assert report.credential == signed_badge()


def test_setting_the_revocation_bit_revokes(lists: StatusLists) -> None:
    lists.publish(REVOCATION_LIST, "revocation", (STATUS_INDEX,))

    report = verify(signed_badge(), lists)

    assert not report.verified
    assert report.status == "revoked"
    assert report.check("status").ok is False  # type: ignore[union-attr]


def test_setting_the_suspension_bit_suspends_and_clearing_it_restores(lists: StatusLists) -> None:
    credential = signed_badge(status_entries=[status_entry(SUSPENSION_LIST, STATUS_INDEX, "suspension")])

    lists.publish(SUSPENSION_LIST, "suspension", (STATUS_INDEX,))
    assert verify(credential, lists).status == "suspended"

    lists.publish(SUSPENSION_LIST, "suspension", ())
    assert verify(credential, lists).status == "valid"


def test_both_entries_are_checked_when_a_credential_carries_them(lists: StatusLists) -> None:
    credential = signed_badge(status_entries=both_status_entries())

    clear = verify(credential, lists)
    assert clear.check("status").ok is True  # type: ignore[union-attr]
    assert clear.status == "schema_invalid"  # OB 3.0 allows one credentialStatus
    assert lists.fetched == [REVOCATION_LIST, SUSPENSION_LIST]

    lists.publish(SUSPENSION_LIST, "suspension", (STATUS_INDEX,))
    assert verify(credential, lists).status == "suspended"
    lists.publish(REVOCATION_LIST, "revocation", (STATUS_INDEX,))
    assert verify(credential, lists).status == "revoked"


def test_a_neighbouring_bit_does_not_affect_the_credential(lists: StatusLists) -> None:
    lists.publish(REVOCATION_LIST, "revocation", (STATUS_INDEX - 1, STATUS_INDEX + 1))

    assert verify(signed_badge(), lists).status == "valid"


def test_without_a_status_fetcher_status_is_unknown_but_not_a_failure() -> None:
    report = verify(signed_badge())

    assert report.verified
    assert report.check("status").ok is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "tamper",
    ["other_issuer", "unsigned", "bad_signature", "wrong_purpose", "expired_list", "unreachable"],
)
def test_an_untrustworthy_status_list_leaves_status_unknown(lists: StatusLists, tamper: str) -> None:
    if tamper == "other_issuer":
        lists.publish(REVOCATION_LIST, "revocation", key=OTHER_KEY, issuer=OTHER_DID)
    elif tamper == "unsigned":
        lists.published[REVOCATION_LIST] = {
            k: v for k, v in lists.published[REVOCATION_LIST].items() if k != "proof"
        }
    elif tamper == "bad_signature":
        lists.published[REVOCATION_LIST]["credentialSubject"]["encodedList"] = encode_bitstring({1})
    elif tamper == "wrong_purpose":
        lists.published[REVOCATION_LIST] = lists.published[SUSPENSION_LIST]
    elif tamper == "expired_list":
        lists.publish(REVOCATION_LIST, "revocation", valid_until=NOW - timedelta(days=1))
    else:
        del lists.published[REVOCATION_LIST]

    report = verify(signed_badge(), lists)

    status = report.check("status")
    assert status is not None
    assert status.ok is None, status.message
    assert report.status == "valid"


def test_a_set_bit_wins_over_an_unknown_status(lists: StatusLists) -> None:
    credential = signed_badge(status_entries=both_status_entries())
    lists.publish(SUSPENSION_LIST, "suspension", (STATUS_INDEX,))
    del lists.published[REVOCATION_LIST]

    assert verify(credential, lists).status == "suspended"


def test_validity_period_boundaries(lists: StatusLists) -> None:
    credential = signed_badge()

    assert verify(credential, lists, now=ISSUED_AT).status == "valid"
    assert verify(credential, lists, now=ISSUED_AT - timedelta(seconds=1)).status == "not_yet_valid"
    assert verify(credential, lists, now=EXPIRES_AT - timedelta(seconds=1)).status == "valid"
    expired = verify(credential, lists, now=EXPIRES_AT)
    assert expired.status == "expired"
    assert not expired.verified
    assert expired.check("signature").ok is True  # type: ignore[union-attr]


def test_an_issuer_outside_the_trusted_list_is_unknown(lists: StatusLists) -> None:
    report = verify(signed_badge(), lists, trusted_issuers={OTHER_DID})

    assert report.status == "unknown_issuer"
    assert not report.verified
    assert verify(signed_badge(), lists, trusted_issuers=None).check("issuer").ok is None  # type: ignore[union-attr]


def test_a_signed_but_schema_invalid_credential_is_reported(lists: StatusLists) -> None:
    unsigned = badge()
    unsigned["credentialSubject"]["achievement"].pop("criteria")
    credential = sign_credential(unsigned, ISSUER_KEY, ISSUER_VM, created=ISSUED_AT)

    report = verify(credential, lists)

    assert report.status == "schema_invalid"
    assert "criteria" in report.check("schema").message  # type: ignore[union-attr]


def test_a_tampered_credential_is_invalid_and_nothing_else_is_trusted(lists: StatusLists) -> None:
    credential = signed_badge()
    credential["credentialSubject"]["achievement"]["name"] = "Engine Repair (A1) - Master"

    report = verify(credential, lists)

    assert report.status == "invalid_signature"
    assert not report.verified
    assert [check.ok for check in report.checks[1:]] == [None, None, None, None]
    assert lists.fetched == []


def test_a_jwt_credential_is_verified_the_same_way(lists: StatusLists) -> None:
    token = jwt_encode(badge(), ISSUER_KEY, ISSUER_VM)

    report = verify(token, lists)

    assert report.verified
    assert report.status == "valid"
    assert report.credential == badge()


def test_a_jwt_must_be_signed_with_a_key_of_its_issuer(lists: StatusLists) -> None:
    token = jwt_encode(badge(), OTHER_KEY, verification_method(OTHER_DID))

    report = verify(token, lists)

    assert report.status == "invalid_signature"
    assert "not a key of the issuer" in report.check("signature").message  # type: ignore[union-attr]


def test_a_tampered_jwt_is_rejected(lists: StatusLists) -> None:
    token = jwt_encode(badge(), ISSUER_KEY, ISSUER_VM)
    head, body, signature = token.split(".")
    middle = len(body) // 2
    tampered = body[:middle] + ("A" if body[middle] != "A" else "B") + body[middle + 1 :]

    assert verify(f"{head}.{tampered}.{signature}", lists).status == "invalid_signature"


@pytest.mark.parametrize("value", [42, None, ["not", "a", "credential"]])
def test_input_that_is_no_credential_is_malformed(value: Any) -> None:
    report = verify(value)

    assert report.status == "malformed"
    assert not report.verified


def test_the_clock_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(signed_badge(), now=NOW.replace(tzinfo=None))


def test_a_status_list_credential_verifies_as_a_credential(lists: StatusLists) -> None:
    report = verify(lists.published[REVOCATION_LIST])

    assert report.verified, report.checks


def test_a_deeply_nested_document_is_malformed_not_a_crash() -> None:
    credential = signed_badge()
    nested: list[Any] = []
    for _ in range(5000):
        nested = [nested]
    credential["credentialSubject"]["achievement"]["name"] = nested

    assert verify(credential).status == "malformed"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
SIGNED = signed_badge()
PATHS = [path for path, _ in leaves(SIGNED)]


@settings(database=None, deadline=None, max_examples=60)
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_replaced_value_yields_a_report_and_never_a_valid_one(path: tuple[Any, ...], value: Any) -> None:
    tampered = with_leaf(SIGNED, path, value)
    assume(tampered != SIGNED)

    report = verify_credential(tampered, now=NOW)

    assert not report.verified
    # A value with the same RDF meaning (e.g. "true" for a boolean-typed term) keeps the
    # signature valid; the schema check rejects the changed JSON shape.
    assert report.status in {"invalid_signature", "malformed", "schema_invalid"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "identifier", 0, "hashed"), "true"),
        (("credentialSubject", "achievement", "achievementType"), ["Certification"]),
    ],
)
def test_a_reshaped_value_with_the_same_meaning_is_caught_by_the_schema(
    path: tuple[Any, ...], value: Any
) -> None:
    report = verify_credential(with_leaf(SIGNED, path, value), now=NOW)

    assert report.check("signature").ok is True  # type: ignore[union-attr]
    assert report.status == "schema_invalid"
