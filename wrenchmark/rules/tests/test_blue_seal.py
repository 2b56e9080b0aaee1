"""Check the Blue Seal rule: the 75 % share, area coverage, the date boundaries and the lapse forecast."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wrenchmark.rules import (
    BLUE_SEAL_SHARE,
    BlueSealStatus,
    Certification,
    CredentialState,
    Status,
    blue_seal_status,
)
from wrenchmark.rules.tests.strategies import FAST, dates

ON = date(2026, 11, 28)
CODES = ("A1", "A4", "A5", "G1")
DAY = timedelta(days=1)

Shop = dict[int, tuple[Certification, ...]]


def cert(
    code: str, expires_on: date, certified_on: date | None = None, status: Status = Status.CERTIFIED
) -> Certification:
    return Certification(
        test_code=code,
        status=status,
        certified_on=certified_on or expires_on - timedelta(days=5 * 365),
        expires_on=expires_on,
    )


def judge(shop: Shop, areas: tuple[str, ...], on: date, horizon_days: int = 365) -> BlueSealStatus[int]:
    return blue_seal_status(technicians=shop, offered_areas=areas, on=on, horizon_days=horizon_days)


# --- Worked examples -------------------------------------------------------------------------------


def test_seven_of_nine_certified_with_every_area_covered_holds() -> None:
    shop: Shop = {n: (cert("A5", ON + timedelta(days=400)),) for n in range(7)}
    shop |= {7: (), 8: (cert("A1", ON - DAY),)}  # none, and expired yesterday
    status = judge(shop, ("A5",), ON)
    assert status.holds
    assert status.share_ok
    assert status.certified_technicians == tuple(range(7))
    assert status.share == Fraction(7, 9)
    assert status.percent == 78
    assert status.areas[0].covered_by == tuple(range(7))
    assert status.missing_areas == ()
    assert status.lapses == ()
    assert status.stops_on is None


def test_an_uncovered_area_is_missing_even_when_everyone_is_certified() -> None:
    status = judge({1: (cert("A5", ON + DAY),)}, ("A5", "A1", "A5"), ON)
    assert [a.code for a in status.areas] == ["A5", "A1"]  # each once, in the order offered
    assert status.missing_areas == ("A1",)
    assert status.share_ok
    assert not status.holds


def test_a_shop_that_names_no_service_area_does_not_hold() -> None:
    status = judge({1: (cert("A5", ON + DAY),)}, (), ON)
    assert status.share_ok
    assert status.missing_areas == ()
    assert not status.holds


def test_suspended_revoked_expired_and_awaiting_certifications_never_count() -> None:
    later = ON + timedelta(days=300)
    shop: Shop = {
        1: (cert("A5", later, status=Status.SUSPENDED),),
        2: (cert("A5", later, status=Status.REVOKED),),
        3: (cert("A5", later, status=Status.EXPIRED),),
        4: (Certification("A5", Status.AWAITING_EXPERIENCE, None, later),),
    }
    status = judge(shop, ("A5",), ON)
    assert status.certified_technicians == ()
    assert status.missing_areas == ("A5",)
    assert not status.holds


def test_it_forecasts_what_would_lapse_when() -> None:
    a1_ends = ON + timedelta(days=40)
    a4_ends = ON + timedelta(days=200)
    shop: Shop = {
        1: (cert("A1", a1_ends, status=Status.EXPIRING), cert("A5", ON + timedelta(days=900))),
        2: (cert("A4", a4_ends),),
        3: (cert("A4", ON + timedelta(days=800)),),
        4: (cert("A5", ON + timedelta(days=900)),),
    }
    status = judge(shop, ("A1", "A4", "A5"), ON, horizon_days=900)
    assert status.holds
    assert status.stops_on == a1_ends + DAY
    first, share, a4 = status.lapses
    assert (first.reason, first.area, first.on, first.expiring) == ("area", "A1", a1_ends + DAY, ((1, "A1"),))
    assert first.last_valid_day == a1_ends
    # Technician 2's only certification expires on day 200: 3 of 4 is still 75 %, and A4 stays covered
    # by technician 3. When technician 3's expires too, both the share and A4 go the same day.
    assert (share.reason, share.on, share.expiring) == ("share", ON + timedelta(days=801), ((3, "A4"),))
    assert (share.certified, share.technicians) == (2, 4)
    assert (a4.reason, a4.area, a4.on, a4.expiring) == ("area", "A4", ON + timedelta(days=801), ((3, "A4"),))
    assert judge(shop, ("A1", "A4", "A5"), ON).lapses == (first,)  # within the default 365 days


def test_a_credential_state_from_the_credential_rules_can_be_judged_directly() -> None:
    state = CredentialState(
        test_code="A5",
        status=Status.CERTIFIED,
        passed_on=ON,
        certified_on=ON,
        expires_on=ON + timedelta(days=10),
        renewed=False,
        days_to_expiry=10,
    )
    assert blue_seal_status(technicians={"t": [state]}, offered_areas=["A5"], on=ON).holds


def test_percent_never_reaches_the_threshold_while_short_of_it() -> None:
    status = judge({n: (cert("A5", ON),) if n < 44 else () for n in range(59)}, (), ON)
    assert status.share == Fraction(44, 59)  # 74.6 %
    assert not status.share_ok
    assert status.percent == 74


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="horizon"):
        blue_seal_status(technicians={}, offered_areas=(), on=ON, horizon_days=-1)
    with pytest.raises(ValueError, match="share"):
        blue_seal_status(technicians={}, offered_areas=(), on=ON, share_required=Fraction(5, 4))


# --- Properties ------------------------------------------------------------------------------------

statuses = st.sampled_from(list(Status))


@st.composite
def certifications(draw: st.DrawFn, on: date) -> Certification:
    expires_on = on + timedelta(days=draw(st.integers(min_value=-30, max_value=500)))
    certified_on = draw(
        st.none() | st.integers(min_value=0, max_value=6 * 365).map(lambda n: expires_on - timedelta(days=n))
    )
    return Certification(
        test_code=draw(st.sampled_from(CODES)),
        status=draw(st.sampled_from([Status.CERTIFIED, Status.EXPIRING]) | statuses),
        certified_on=certified_on,
        expires_on=expires_on,
    )


@st.composite
def shops(draw: st.DrawFn, on: date) -> Shop:
    size = draw(st.integers(min_value=0, max_value=8))
    return {n: tuple(draw(st.lists(certifications(on), max_size=4))) for n in range(size)}


offered = st.lists(st.sampled_from(CODES), max_size=3).map(tuple)


@FAST
@given(data=st.data(), on=dates, areas=offered)
def test_it_holds_exactly_when_three_quarters_are_certified_and_every_area_is_covered(
    data: st.DataObject, on: date, areas: tuple[str, ...]
) -> None:
    shop = data.draw(shops(on))
    status = judge(shop, areas, on)
    certified = [
        tech
        for tech, certs in shop.items()
        if any(
            c.status in {Status.CERTIFIED, Status.EXPIRING}
            and c.certified_on is not None
            and c.certified_on <= on <= c.expires_on
            for c in certs
        )
    ]
    assert list(status.certified_technicians) == certified
    assert status.share_ok == (bool(shop) and 4 * len(certified) >= 3 * len(shop))
    for area in status.areas:
        assert set(area.covered_by) <= set(certified)
    assert status.missing_areas == tuple(a.code for a in status.areas if not a.covered)
    assert status.holds == (status.share_ok and bool(areas) and not status.missing_areas)


@FAST
@given(on=dates, areas=offered)
def test_zero_technicians_never_holds(on: date, areas: tuple[str, ...]) -> None:
    status = judge({}, areas, on)
    assert not status.holds
    assert status.share == 0
    assert not status.share_ok
    assert status.percent == 0


@FAST
@given(size=st.integers(min_value=1, max_value=40), on=dates)
def test_exactly_three_quarters_holds_and_one_fewer_does_not(size: int, on: date) -> None:
    technicians = 4 * size
    needed = 3 * size

    def shop(certified: int) -> Shop:
        return {n: (cert("A5", on),) if n < certified else () for n in range(technicians)}

    exact = judge(shop(needed), ("A5",), on)
    assert exact.share == BLUE_SEAL_SHARE
    assert exact.holds
    assert exact.percent == 75
    short = judge(shop(needed - 1), ("A5",), on)
    assert not short.holds
    assert short.percent < 75


@FAST
@given(on=dates, years=st.integers(min_value=0, max_value=5), code=st.sampled_from(CODES))
def test_the_day_of_expiry_counts_and_the_day_after_does_not(on: date, years: int, code: str) -> None:
    certified_on = on - timedelta(days=365 * years)
    shop: Shop = {1: (Certification(code, Status.EXPIRING, certified_on, on),)}
    on_the_day = judge(shop, (code,), on)
    assert on_the_day.holds
    assert on_the_day.stops_on == on + DAY
    assert [(lapse.reason, lapse.area) for lapse in on_the_day.lapses] == [("share", None), ("area", code)]
    the_day_after = judge(shop, (code,), on + DAY)
    assert not the_day_after.holds
    assert the_day_after.certified_technicians == ()
    assert the_day_after.missing_areas == (code,)
    before_it_starts = judge(shop, (code,), certified_on - DAY)
    assert not before_it_starts.holds


@FAST
@given(
    data=st.data(), on=dates, areas=offered, extra=st.lists(st.sampled_from(CODES), min_size=1, max_size=3)
)
def test_adding_a_certified_technician_never_breaks_it(
    data: st.DataObject, on: date, areas: tuple[str, ...], extra: list[str]
) -> None:
    shop = data.draw(shops(on))
    before = judge(shop, areas, on)
    newcomer = tuple(cert(code, on + timedelta(days=30), certified_on=on) for code in extra)
    after = judge({**shop, len(shop): newcomer}, areas, on)
    assert after.share >= before.share or not before.technicians
    assert set(after.missing_areas) <= set(before.missing_areas)
    if before.holds:
        assert after.holds


@FAST
@given(data=st.data(), on=dates, areas=offered)
def test_each_lapse_is_the_first_day_its_requirement_fails(
    data: st.DataObject, on: date, areas: tuple[str, ...]
) -> None:
    shop = data.draw(shops(on))
    status = judge(shop, areas, on, horizon_days=400)

    def met(reason: str, area: str | None, day: date) -> bool:
        later = judge(shop, areas, day, horizon_days=0)
        if reason == "share":
            return later.share_ok
        return area not in later.missing_areas

    assert [lapse.on for lapse in status.lapses] == sorted(lapse.on for lapse in status.lapses)
    for lapse in status.lapses:
        assert on < lapse.on <= status.horizon_end
        assert not met(lapse.reason, lapse.area, lapse.on)
        assert met(lapse.reason, lapse.area, lapse.last_valid_day)
        assert lapse.expiring
        for tech, code in lapse.expiring:
            assert any(c.test_code == code and c.expires_on == lapse.last_valid_day for c in shop[tech])
    watched: list[tuple[str, str | None]] = [("share", None)] if status.share_ok else []
    watched += [("area", a.code) for a in status.areas if a.covered]
    lapsed = {(lapse.reason, lapse.area) for lapse in status.lapses}
    assert lapsed <= set(watched)
    for reason, area in set(watched) - lapsed:  # still met at the horizon, with no renewals
        assert met(reason, area, status.horizon_end)


@FAST
@given(
    data=st.data(),
    on=dates,
    areas=st.lists(st.sampled_from(CODES), min_size=1, max_size=3).map(tuple),
    step=st.integers(min_value=0, max_value=400),
    ends=st.lists(st.integers(min_value=0, max_value=500), min_size=4, max_size=12),
)
def test_while_it_holds_nothing_fails_before_the_forecast_day(
    data: st.DataObject, on: date, areas: tuple[str, ...], step: int, ends: list[int]
) -> None:
    # Any shop, plus enough certified technicians (one per code in turn) for the recognition to hold.
    shop = data.draw(shops(on))
    size = len(shop)
    for n in range(3 * size + 4):
        shop[size + n] = (cert(CODES[n % len(CODES)], on + timedelta(days=ends[n % len(ends)]), on),)
    status = judge(shop, areas, on, horizon_days=400)
    assert status.holds
    day = on + timedelta(days=step)
    later = judge(shop, areas, day, horizon_days=0)
    if status.stops_on is None or day < status.stops_on:
        assert later.holds
    elif day == status.stops_on:
        assert not later.holds
