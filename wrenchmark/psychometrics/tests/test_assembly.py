"""Assembled forms meet the blueprint and the constraints, are parallel at the cut, and beat chance."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from wrenchmark.psychometrics.assembly import Assembly, ItemPool, assemble_forms, assemble_lof
from wrenchmark.psychometrics.synthetic import ItemParameters, item_parameters

BLUEPRINT = {"A": 12, "B": 10, "C": 8, "D": 6, "E": 4}
CUT = 0.5


def _pool(seed: int = 1, n: int = 300) -> ItemPool:
    rng = np.random.default_rng(seed)
    items = item_parameters(rng, n, model="3pl")
    areas = tuple(str(area) for area in rng.choice(list("ABCDE"), n, p=[0.3, 0.25, 0.2, 0.15, 0.1]))
    return ItemPool(items=items, areas=areas, ids=tuple(f"Q{i:03d}" for i in range(n)))


def _information(theta: float, items: ItemParameters) -> np.ndarray:
    """a² (Q/P) ((P - c)/(1 - c))², written out independently of the module."""
    e = np.exp(-items.a * (theta - items.b))
    p = items.c + (1 - items.c) / (1 + e)
    info: np.ndarray = items.a**2 * ((1 - p) / p) * ((p - items.c) / (1 - items.c)) ** 2
    return info


def _meets_blueprint(pool: ItemPool, form: np.ndarray, blueprint: dict[str, int]) -> bool:
    return Counter(pool.areas[int(i)] for i in form) == Counter(blueprint)


def test_two_parallel_forms_meet_the_blueprint_share_nothing_and_match_at_the_cut() -> None:
    pool = _pool()
    result = assemble_forms(pool, n_forms=2, blueprint=BLUEPRINT, theta_cut=CUT, time_limit=30)
    assert result.status == "optimal"
    assert result.mip_gap < 1e-3
    first, second = result.forms
    assert len(first) == len(second) == 40
    assert _meets_blueprint(pool, first, BLUEPRINT)
    assert _meets_blueprint(pool, second, BLUEPRINT)
    assert not set(first.tolist()) & set(second.tolist())
    info = _information(CUT, pool.items)
    np.testing.assert_allclose(result.information, [info[first].sum(), info[second].sum()])
    assert abs(result.information[0] - result.information[1]) < 0.02 * result.information.min()
    assert result.ids is not None
    assert result.ids[0] == tuple(f"Q{i:03d}" for i in first)


def test_assembled_forms_are_more_informative_at_the_cut_than_random_conforming_forms() -> None:
    pool = _pool()
    result = assemble_forms(pool, n_forms=2, blueprint=BLUEPRINT, theta_cut=CUT, time_limit=30)
    info = _information(CUT, pool.items)
    rng = np.random.default_rng(2)
    areas = np.array(pool.areas)
    random_info = []
    for _ in range(300):
        form = np.concatenate(
            [
                rng.choice(np.flatnonzero(areas == area), count, replace=False)
                for area, count in BLUEPRINT.items()
            ]
        )
        random_info.append(info[form].sum())
    assert result.information.min() > max(random_info)
    assert result.information.min() > 1.5 * float(np.mean(random_info))


def test_no_form_holds_two_items_of_an_enemy_set() -> None:
    pool = _pool()
    free = assemble_forms(pool, n_forms=2, blueprint=BLUEPRINT, theta_cut=CUT, time_limit=30)
    # Make enemies of items the unconstrained forms put together, so the constraint has to act; name
    # some by index and one set by id.
    ids = pool.ids
    assert ids is not None
    pairs = [(int(free.forms[0][k]), int(free.forms[0][k + 1])) for k in range(0, 10, 2)]
    triple = tuple(ids[int(i)] for i in free.forms[1][:3])
    enemies: list[tuple[int, ...] | tuple[str, ...]] = [*pairs, triple]
    result = assemble_forms(
        pool, n_forms=2, blueprint=BLUEPRINT, theta_cut=CUT, enemies=enemies, time_limit=30
    )
    index_sets = [set(pair) for pair in pairs] + [{ids.index(e) for e in triple}]
    for form in result.forms:
        assert _meets_blueprint(pool, form, BLUEPRINT)
        for group in index_sets:
            assert len(group & set(form.tolist())) <= 1
    assert result.information.min() <= free.information.min() + 1e-9


def test_overlap_and_exposure_limits_are_kept() -> None:
    pool = _pool()
    result = assemble_forms(
        pool, n_forms=3, blueprint=BLUEPRINT, theta_cut=CUT, max_overlap=4, max_exposure=2, time_limit=30
    )
    sets = [set(form.tolist()) for form in result.forms]
    for f in range(3):
        for g in range(f + 1, 3):
            assert len(sets[f] & sets[g]) <= 4
    uses = Counter(i for form in result.forms for i in form.tolist())
    assert max(uses.values()) <= 2
    # Sharing items lets the weakest form be more informative than with disjoint forms.
    disjoint = assemble_forms(pool, n_forms=3, blueprint=BLUEPRINT, theta_cut=CUT, time_limit=30)
    assert result.information.min() > disjoint.information.min()


def test_a_target_information_function_is_met_by_every_form_within_its_tolerance() -> None:
    pool = _pool()
    grid = np.array([-0.5, 0.5, 1.5])
    info = np.array([_information(t, pool.items) for t in grid])
    # A reachable target: the information curve of a random conforming form, with its mean lifted by a
    # tenth so that random forms miss it.
    rng = np.random.default_rng(3)
    areas = np.array(pool.areas)
    reference = np.concatenate(
        [rng.choice(np.flatnonzero(areas == area), count, replace=False) for area, count in BLUEPRINT.items()]
    )
    target = 1.1 * info[:, reference].sum(axis=1)
    result = assemble_forms(
        pool,
        n_forms=2,
        blueprint=BLUEPRINT,
        theta_cut=CUT,
        target_information=target,
        target_theta=grid,
        target_tolerance=0.02,
        time_limit=30,
    )
    assert result.status == "optimal"
    assert result.target_information is not None
    assert result.max_deviation is not None
    expected = np.array([info[:, form].sum(axis=1) for form in result.forms])
    np.testing.assert_allclose(result.target_information, expected)
    assert result.max_deviation == pytest.approx(float(np.abs(expected - target).max()))
    assert np.all(np.abs(expected - target[None, :]) <= 0.02 * target[None, :] + 1e-6)
    for form in result.forms:
        assert _meets_blueprint(pool, form, BLUEPRINT)


def test_impossible_requests_are_refused_with_the_reason() -> None:
    pool = _pool()
    with pytest.raises(ValueError, match="area 'F' has 0 usable"):
        assemble_forms(pool, n_forms=2, blueprint={**BLUEPRINT, "F": 2}, theta_cut=CUT)
    n_e = pool.areas.count("E")
    with pytest.raises(ValueError, match="area 'E'"):
        assemble_forms(pool, n_forms=2, blueprint={**BLUEPRINT, "E": n_e + 1}, theta_cut=CUT)
    with pytest.raises(ValueError, match="2 forms"):
        assemble_forms(pool, n_forms=2, blueprint={**BLUEPRINT, "E": n_e // 2 + 1}, theta_cut=CUT)
    with pytest.raises(ValueError, match="at least two different items"):
        assemble_forms(pool, n_forms=1, blueprint=BLUEPRINT, theta_cut=CUT, enemies=[(3, 3)])
    with pytest.raises(ValueError, match="not in the pool"):
        assemble_forms(pool, n_forms=1, blueprint=BLUEPRINT, theta_cut=CUT, enemies=[("Q001", "X")])
    with pytest.raises(ValueError, match="n_forms"):
        assemble_forms(pool, n_forms=0, blueprint=BLUEPRINT, theta_cut=CUT)


def test_constraints_that_conflict_only_together_are_reported_as_infeasible() -> None:
    pool = _pool()
    e_items = [i for i, area in enumerate(pool.areas) if area == "E"]
    # Every E item is an enemy of every other: a form can hold at most one, but the blueprint needs 4.
    with pytest.raises(ValueError, match="no set of forms meets all the constraints"):
        assemble_forms(pool, n_forms=1, blueprint=BLUEPRINT, theta_cut=CUT, enemies=[tuple(e_items)])


def _check_lof(pool: ItemPool, result: Assembly, excluded: set[int]) -> np.ndarray:
    (form,) = result.forms
    assert _meets_blueprint(pool, form, BLUEPRINT)
    assert not excluded & set(form.tolist())
    return form


def test_linear_on_the_fly_forms_differ_between_candidates_and_all_meet_the_blueprint() -> None:
    pool = _pool()
    rng = np.random.default_rng(4)
    seen = {int(i) for i in range(0, 300, 7)}
    low = _check_lof(pool, assemble_lof(pool, blueprint=BLUEPRINT, theta=-1.0, rng=rng, exclude=seen), seen)
    high = _check_lof(pool, assemble_lof(pool, blueprint=BLUEPRINT, theta=1.0, rng=rng, exclude=seen), seen)
    assert set(low.tolist()) != set(high.tolist())
    # Two candidates at the same ability also get different forms, from the randomisation.
    one = _check_lof(pool, assemble_lof(pool, blueprint=BLUEPRINT, theta=CUT, rng=rng), set())
    two = _check_lof(pool, assemble_lof(pool, blueprint=BLUEPRINT, theta=CUT, rng=rng), set())
    assert set(one.tolist()) != set(two.tolist())


def test_randomised_lof_forms_lose_little_information() -> None:
    pool = _pool()
    rng = np.random.default_rng(5)
    best = assemble_lof(pool, blueprint=BLUEPRINT, theta=CUT, rng=rng, randomesque=0.0)
    info = _information(CUT, pool.items)
    areas = np.array(pool.areas)
    # With no enemies the optimum is each area's most informative items.
    optimum = sum(np.sort(info[areas == area])[-count:].sum() for area, count in BLUEPRINT.items())
    assert best.information[0] == pytest.approx(optimum)
    for _ in range(5):
        noisy = assemble_lof(pool, blueprint=BLUEPRINT, theta=CUT, rng=rng, randomesque=0.1)
        assert noisy.information[0] >= (0.9 / 1.1) * optimum
        assert noisy.information[0] <= optimum + 1e-9


def test_lof_forms_respect_enemies() -> None:
    pool = _pool()
    info = _information(CUT, pool.items)
    areas = np.array(pool.areas)
    top_a = np.flatnonzero(areas == "A")[np.argsort(-info[areas == "A"])][:6]
    enemies = [tuple(int(i) for i in top_a)]
    result = assemble_lof(pool, blueprint=BLUEPRINT, theta=CUT, rng=np.random.default_rng(6), enemies=enemies)
    (form,) = result.forms
    assert len(set(top_a.tolist()) & set(form.tolist())) == 1
    assert _meets_blueprint(pool, form, BLUEPRINT)
    with pytest.raises(ValueError, match="area 'A'"):
        assemble_lof(
            pool,
            blueprint=BLUEPRINT,
            theta=CUT,
            rng=np.random.default_rng(6),
            exclude=np.flatnonzero(areas == "A"),
        )


def test_leaving_out_dominated_items_does_not_change_the_optimum() -> None:
    """The full program and the reduced one (each area's top items at the cut, plus room for enemies)
    reach the same maximin information."""
    from wrenchmark.psychometrics.assembly import _check_common, _dominated, _solve

    pool = _pool(seed=5, n=200)
    blueprint = dict.fromkeys(sorted(set(pool.areas)), 6)
    enemies = [[0, 1], [2, 3, 4], [10, 11]]
    counts, groups = _check_common(pool, blueprint, 30.0, enemies)
    info = _information(0.4, pool.items)
    dropped = _dominated(pool, info, counts, groups, 2)
    assert len(dropped) > 100  # the reduction is worth having
    results = []
    for excluded in (set(), dropped):
        forms, status, _gap = _solve(
            pool,
            n_forms=2,
            blueprint=counts,
            enemy_sets=groups,
            excluded=excluded,
            max_exposure=1,
            max_overlap=0,
            objective="maximin",
            info=info[None, :],
            target=None,
            tolerance=None,
            time_limit=30.0,
            mip_rel_gap=1e-9,
        )
        assert status == "optimal"
        results.append(min(float(info[f].sum()) for f in forms))
    assert results[1] == pytest.approx(results[0], rel=1e-6)
