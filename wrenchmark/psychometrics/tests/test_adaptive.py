"""Adaptive practice: short, accurate, balanced by content, and with exposure under control."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from wrenchmark.psychometrics.adaptive import (
    AdaptiveTrace,
    run_adaptive,
    select_next,
    should_stop,
    update_theta,
)
from wrenchmark.psychometrics.synthetic import ItemParameters, abilities, item_parameters, probabilities

SHARES = {"A": 0.3, "B": 0.25, "C": 0.2, "D": 0.15, "E": 0.1}


def _pool(seed: int = 1, n: int = 300, model: str = "2pl") -> tuple[ItemParameters, tuple[str, ...]]:
    rng = np.random.default_rng(seed)
    items = item_parameters(rng, n, model=model)
    areas = tuple(str(a) for a in rng.choice(list(SHARES), n, p=list(SHARES.values())))
    return items, areas


def _take(items: ItemParameters, index: np.ndarray) -> ItemParameters:
    return ItemParameters(a=items.a[index], b=items.b[index], c=items.c[index])


def _information(theta: float, items: ItemParameters) -> np.ndarray:
    p = probabilities(np.array([theta]), items)[0]
    info: np.ndarray = items.a**2 * ((1 - p) / p) * ((p - items.c) / (1 - items.c)) ** 2
    return info


def _simulate(
    method: str, n: int = 200, seed: int = 2, **kwargs: Any
) -> tuple[np.ndarray, list[AdaptiveTrace]]:
    items, areas = _pool()
    rng = np.random.default_rng(seed)
    theta = abilities(rng, n)
    traces = [run_adaptive(float(t), items, areas, SHARES, rng, method=method, **kwargs) for t in theta]
    return theta, traces


def _random_length(true_theta: float, items: ItemParameters, rng: np.random.Generator, limit: int) -> int:
    """Items a random order of the pool needs before the EAP SE reaches 0.3 (same stopping rule)."""
    order = rng.permutation(items.n_items)[:limit]
    answers = (rng.random(limit) < probabilities(np.array([true_theta]), _take(items, order))[0]).astype(
        float
    )
    for n in range(1, limit + 1):
        estimate = update_theta(answers[:n], _take(items, order[:n]))
        if should_stop(estimate.se, n, se_target=0.3, min_items=5, max_items=limit):
            return n
    return limit


def test_adaptive_sessions_reach_the_target_se_in_far_fewer_items_than_random_selection() -> None:
    items, _ = _pool()
    theta, traces = _simulate("randomesque", n=100, max_items=60)
    adaptive = np.array([trace.n_given for trace in traces])
    assert all(trace.se[-1] <= 0.3 for trace in traces if trace.stop_reason == "se")
    assert np.mean([trace.stop_reason == "se" for trace in traces]) > 0.95
    rng = np.random.default_rng(3)
    random = np.array([_random_length(float(t), items, rng, limit=150) for t in theta[:50]])
    assert adaptive.mean() < 0.6 * random.mean()


def test_final_estimates_track_the_true_abilities() -> None:
    theta, traces = _simulate("randomesque", max_items=60)
    final = np.array([trace.theta[-1] for trace in traces])
    assert np.corrcoef(final, theta)[0, 1] > 0.9
    # The reported SE is honest: the RMSE is close to the typical final SE.
    rmse = float(np.sqrt(np.mean((final - theta) ** 2)))
    assert rmse < 0.4


def test_randomesque_lowers_the_highest_item_exposure_rate() -> None:
    _, greedy = _simulate("maximum", max_items=60)
    _, spread = _simulate("randomesque", k=5, max_items=60)

    def max_rate(traces: list[AdaptiveTrace]) -> float:
        counts = np.bincount(np.concatenate([t.items for t in traces]), minlength=300)
        return float(counts.max() / len(traces))

    assert max_rate(greedy) == 1.0  # everyone starts at the prior mean and gets the same first item
    assert max_rate(spread) < 0.8 * max_rate(greedy)


def test_content_shares_stay_within_one_item_of_the_blueprint_at_every_step() -> None:
    _, areas = _pool()
    _, traces = _simulate("randomesque", n=60, max_items=60)
    labels = np.array(areas)
    for trace in traces:
        given = labels[trace.items]
        for n in range(1, given.shape[0] + 1):
            for area, share in SHARES.items():
                assert abs(int(np.sum(given[:n] == area)) - share * n) < 1.0


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(min_value=0.02, max_value=1.0), min_size=2, max_size=6),
    st.integers(min_value=0, max_value=10_000),
)
def test_any_shares_are_kept_within_one_item_at_every_step(weights: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_areas = len(weights)
    items = item_parameters(rng, 60 * n_areas)
    areas = tuple(f"K{i % n_areas}" for i in range(60 * n_areas))
    shares = {f"K{k}": w for k, w in enumerate(weights)}
    total = sum(weights)
    given_list: list[int] = []
    for n in range(1, 51):
        theta = float(rng.normal())
        given_list.append(
            select_next(
                items, theta=theta, administered=given_list, areas=areas, blueprint_share=shares, rng=rng
            )
        )
        labels = [areas[i] for i in given_list]
        for area, w in shares.items():
            assert abs(labels.count(area) - w / total * n) < 1.0


def test_sympson_hetter_never_gives_an_item_with_probability_zero() -> None:
    items, areas = _pool()
    info = _information(0.0, items)
    banned = np.argsort(-info)[:15]
    exposure = np.ones(items.n_items)
    exposure[banned] = 0.0
    exposure[np.argsort(-info)[15:30]] = 0.5
    rng = np.random.default_rng(4)
    given = np.concatenate(
        [
            run_adaptive(
                float(t), items, areas, SHARES, rng, method="sympson_hetter", exposure=exposure, max_items=30
            ).items
            for t in abilities(rng, 60)
        ]
    )
    assert not set(banned.tolist()) & set(given.tolist())
    # With every probability 1 it is pure maximum information.
    chosen = select_next(
        items,
        theta=0.0,
        administered=[],
        areas=areas,
        blueprint_share=SHARES,
        rng=rng,
        method="sympson_hetter",
        exposure=np.ones(items.n_items),
    )
    assert chosen == select_next(
        items, theta=0.0, administered=[], areas=areas, blueprint_share=SHARES, rng=rng, method="maximum"
    )


def test_selection_takes_the_most_informative_item_of_the_area_furthest_below_its_share() -> None:
    items, areas = _pool()
    labels = np.array(areas)
    a_items = np.flatnonzero(labels == "A")
    b_items = np.flatnonzero(labels == "B")
    rng = np.random.default_rng(5)
    # Nothing given: the largest share (A) goes first.
    first = select_next(
        items, theta=0.5, administered=[], areas=areas, blueprint_share=SHARES, rng=rng, method="maximum"
    )
    info = _information(0.5, items)
    assert first == a_items[np.argmax(info[a_items])]
    # After three A items, B (0.25 · 4 - 0 = 1.0) is furthest below its quota.
    given = a_items[:3].tolist()
    chosen = select_next(
        items, theta=0.5, administered=given, areas=areas, blueprint_share=SHARES, rng=rng, method="maximum"
    )
    assert chosen == b_items[np.argmax(info[b_items])]
    # Randomesque picks among the five most informative of the area.
    top5 = set(a_items[np.argsort(-info[a_items])[:5]].tolist())
    picks = {
        select_next(items, theta=0.5, administered=[], areas=areas, blueprint_share=SHARES, rng=rng, k=5)
        for _ in range(200)
    }
    assert picks == top5


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=1), min_size=1, max_size=8),
    st.floats(min_value=-1.0, max_value=1.0),
    st.floats(min_value=0.5, max_value=2.0),
)
def test_the_eap_update_agrees_with_numerical_integration(answers: list[int], mean: float, sd: float) -> None:
    items = item_parameters(np.random.default_rng(len(answers)), len(answers), model="3pl")
    x = np.array(answers, dtype=float)

    def posterior(t: float, power: int) -> float:
        p = probabilities(np.array([t]), items)[0]
        like = float(np.prod(p**x * (1 - p) ** (1 - x)))
        return t**power * like * float(np.exp(-0.5 * ((t - mean) / sd) ** 2))

    lo, hi = mean - 10 * sd, mean + 10 * sd
    z = quad(posterior, lo, hi, args=(0,))[0]
    m = quad(posterior, lo, hi, args=(1,))[0] / z
    v = quad(posterior, lo, hi, args=(2,))[0] / z - m**2
    estimate = update_theta(x, items, prior_mean=mean, prior_sd=sd)
    assert estimate.theta == pytest.approx(m, abs=1e-4)
    assert estimate.se == pytest.approx(np.sqrt(v), abs=1e-4)


def test_without_answers_the_estimate_is_the_prior() -> None:
    empty = ItemParameters(a=np.zeros(0), b=np.zeros(0), c=np.zeros(0))
    estimate = update_theta([], empty, prior_mean=0.4, prior_sd=1.5)
    assert estimate.theta == pytest.approx(0.4, abs=1e-9)
    assert estimate.se == pytest.approx(1.5, rel=1e-3)


def test_the_stopping_rule() -> None:
    assert not should_stop(0.2, 4)  # below the minimum length
    assert should_stop(0.3, 5)
    assert not should_stop(0.31, 5)
    assert should_stop(0.9, 40)  # the default maximum
    assert should_stop(0.9, 12, max_items=12)
    with pytest.raises(ValueError, match="se_target"):
        should_stop(0.2, 3, se_target=0.0)


def test_bad_inputs_are_refused() -> None:
    items, areas = _pool()
    rng = np.random.default_rng(6)
    with pytest.raises(ValueError, match="one label per item"):
        select_next(items, theta=0.0, administered=[], areas=areas[:10], blueprint_share=SHARES, rng=rng)
    with pytest.raises(ValueError, match="distinct pool indices"):
        select_next(items, theta=0.0, administered=[1, 1], areas=areas, blueprint_share=SHARES, rng=rng)
    with pytest.raises(ValueError, match="exposure"):
        select_next(
            items,
            theta=0.0,
            administered=[],
            areas=areas,
            blueprint_share=SHARES,
            rng=rng,
            method="sympson_hetter",
        )
    with pytest.raises(ValueError, match="method"):
        select_next(
            items, theta=0.0, administered=[], areas=areas, blueprint_share=SHARES, rng=rng, method="x"
        )
    with pytest.raises(ValueError, match="0 \\(wrong\\) or 1"):
        update_theta([0.5], _take(items, np.array([0])))
    only_e = {"E": 1.0}
    e_items = [i for i, area in enumerate(areas) if area == "E"]
    with pytest.raises(ValueError, match="no eligible item"):
        select_next(items, theta=0.0, administered=e_items, areas=areas, blueprint_share=only_e, rng=rng)


def test_a_session_stops_when_the_blueprint_areas_run_out() -> None:
    items, areas = _pool()
    n_e = areas.count("E")
    trace = run_adaptive(0.0, items, areas, {"E": 1}, np.random.default_rng(7), se_target=0.01, max_items=200)
    assert trace.stop_reason == "pool"
    assert trace.n_given == n_e
    assert trace.theta.shape == trace.se.shape == trace.responses.shape == (n_e,)
