"""Automated test assembly: parallel fixed forms and linear-on-the-fly forms, as mixed-integer programs.

Model (logistic, no 1.7 scaling): :math:`P_i(\\theta) = c_i + (1 - c_i)/(1 + \\exp(-a_i(\\theta - b_i)))`,
and item information

.. math:: I_i(\\theta) = a_i^2 \\, \\frac{Q_i(\\theta)}{P_i(\\theta)}
          \\left(\\frac{P_i(\\theta) - c_i}{1 - c_i}\\right)^2, \\qquad Q_i = 1 - P_i.

A form's information is the sum of its items' information. With a binary decision :math:`x_{if}` (item
:math:`i` on form :math:`f`), the constraints are linear:

* blueprint: :math:`\\sum_{i \\in \\text{area } k} x_{if} = n_k` for every form and area (items of an area
  the blueprint does not list are not used);
* enemies: for every enemy set :math:`E`, :math:`\\sum_{i \\in E} x_{if} \\le 1` on every form;
* exposure: :math:`\\sum_f x_{if} \\le e` (each item on at most ``max_exposure`` forms);
* overlap: for every pair of forms, :math:`\\sum_i z_{ifg} \\le o` with
  :math:`z_{ifg} \\ge x_{if} + x_{ig} - 1` (an overlap of 0 is the same as an exposure of 1).

Objectives (van der Linden, 2005, ch. 4-6): *maximin* (maximise :math:`y` subject to
:math:`\\sum_i I_i(\\theta_{cut}) x_{if} \\ge y` for every form), which makes the forms parallel at the cut
because no form can gain without the weakest one losing; or *minimax* deviation from a target
information function, :math:`|\\sum_i I_i(\\theta_k) x_{if} - T_k| \\le y` for every form and grid point,
minimising :math:`y`. The programs are solved with HiGHS through :func:`scipy.optimize.milp`.

References
----------
van der Linden, W. J. (2005). *Linear Models for Optimal Test Design*. Springer (ch. 4 objectives,
ch. 5 models for assembling single and multiple forms, ch. 9 on-the-fly assembly).
Huangfu, Q. & Hall, J. A. J. (2018). Parallelizing the dual revised simplex method. *Mathematical
Programming Computation*, 10, 119-142 (HiGHS).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from wrenchmark.psychometrics.irt.models import item_information
from wrenchmark.psychometrics.synthetic import ItemParameters
from wrenchmark.psychometrics.types import FloatArray, IntArray

__all__ = ["Assembly", "ItemPool", "assemble_forms", "assemble_lof"]

_STATUS = {0: "optimal", 1: "time_limit"}


@dataclass(frozen=True, slots=True)
class ItemPool:
    """The items forms are assembled from.

    Attributes
    ----------
    items
        Per item (n_items): a, b, c.
    areas
        Per item: its content-area label.
    ids
        Optional per-item identifiers (unique); when given, enemy sets and exclusions may name items by id.
    """

    items: ItemParameters
    areas: tuple[str, ...]
    ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "areas", tuple(str(area) for area in self.areas))
        if self.ids is not None:
            object.__setattr__(self, "ids", tuple(str(i) for i in self.ids))
        n = self.items.n_items
        if n < 1 or len(self.areas) != n:
            raise ValueError(f"the pool needs one area label per item: {n} items, {len(self.areas)} labels")
        if self.ids is not None and (len(self.ids) != n or len(set(self.ids)) != n):
            raise ValueError("pool ids must be unique and one per item")
        a, b, c = self.items.a, self.items.b, self.items.c
        if not (np.isfinite(a).all() and np.isfinite(b).all() and np.isfinite(c).all()):
            raise ValueError("pool item parameters must be finite")
        if (a <= 0).any() or ((c < 0) | (c >= 1)).any():
            raise ValueError("pool items need a > 0 and 0 <= c < 1")

    @property
    def n_items(self) -> int:
        return self.items.n_items


@dataclass(frozen=True, slots=True)
class Assembly:
    """Forms chosen from a pool.

    Attributes
    ----------
    forms
        Per form: the chosen pool indices, ascending.
    ids
        Per form: the chosen items' ids, when the pool has ids.
    theta
        The ability at which ``information`` is given (the cut, or the candidate's ability).
    information
        Shape (n_forms,): each form's information at ``theta``.
    status
        ``"optimal"`` (within the requested relative MIP gap) or ``"time_limit"`` (the best form found when
        time ran out).
    mip_gap
        The solver's relative gap between the solution and its bound (0 when proven optimal exactly).
    target_theta, target_information
        With a target: the grid, and each form's information on it, shape (n_forms, n_points).
    max_deviation
        With a target: the largest absolute deviation from it over forms and grid points.
    """

    forms: tuple[IntArray, ...]
    theta: float
    information: FloatArray
    status: str
    mip_gap: float
    ids: tuple[tuple[str, ...], ...] | None = None
    target_theta: FloatArray | None = None
    target_information: FloatArray | None = None
    max_deviation: float | None = None


def _resolve(pool: ItemPool, ref: int | str, what: str) -> int:
    if isinstance(ref, str):
        if pool.ids is None:
            raise ValueError(f"{what} names item {ref!r} by id, but the pool has no ids")
        try:
            return pool.ids.index(ref)
        except ValueError:
            raise ValueError(f"{what} names item {ref!r}, which is not in the pool") from None
    index = int(ref)
    if not 0 <= index < pool.n_items:
        raise ValueError(f"{what} names item {index}, outside the pool's 0..{pool.n_items - 1}")
    return index


def _enemy_sets(pool: ItemPool, enemies: Iterable[Sequence[int | str]]) -> list[list[int]]:
    groups = []
    for group in enemies:
        members = sorted({_resolve(pool, ref, "an enemy set") for ref in group})
        if len(members) < 2:
            raise ValueError("each enemy set must name at least two different items")
        groups.append(members)
    return groups


def _check_blueprint(blueprint: Mapping[str, int]) -> dict[str, int]:
    if not blueprint:
        raise ValueError("the blueprint must name at least one content area")
    counts = {}
    for area, count in blueprint.items():
        if int(count) != count or count < 0:
            raise ValueError(f"the blueprint count of area {area!r} must be a whole number >= 0, got {count}")
        counts[str(area)] = int(count)
    if sum(counts.values()) < 1:
        raise ValueError("the blueprint asks for no items")
    return counts


def _solve(
    pool: ItemPool,
    *,
    n_forms: int,
    blueprint: dict[str, int],
    enemy_sets: list[list[int]],
    excluded: set[int],
    max_exposure: int,
    max_overlap: int,
    objective: str,
    info: FloatArray,
    target: FloatArray | None,
    tolerance: FloatArray | None,
    time_limit: float,
    mip_rel_gap: float,
) -> tuple[list[IntArray], str, float]:
    """Build and solve the program; ``info`` is (n_points, n_items); returns forms, status, gap.

    ``objective``: ``"maximin"`` over forms and points, ``"target"`` (minimax deviation from ``target``),
    or ``"sum"`` (maximise the information summed over points; one form).
    """
    n_items = pool.n_items
    areas = np.array(pool.areas)
    length = sum(blueprint.values())
    exposure = 1 if max_overlap == 0 else min(max_exposure, n_forms)

    allowed = np.isin(areas, [k for k, v in blueprint.items() if v > 0])
    if excluded:
        allowed[sorted(excluded)] = False
    for area, count in blueprint.items():
        available = int((allowed & (areas == area)).sum())
        if count > available:
            raise ValueError(
                f"area {area!r} has {available} usable item(s) in the pool; the blueprint needs {count} per form"
            )
        if n_forms * count > available * exposure:
            raise ValueError(
                f"area {area!r} has {available} usable item(s): {n_forms} forms of {count} with each item on at "
                f"most {exposure} form(s) need {-(-n_forms * count // exposure)}"
            )

    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(columns: Sequence[int], coefficients: Sequence[float] | FloatArray, lo: float, hi: float) -> None:
        r = len(lower)
        rows.extend([r] * len(columns))
        cols.extend(columns)
        values.extend(float(v) for v in coefficients)
        lower.append(lo)
        upper.append(hi)

    def x(i: int, f: int) -> int:
        return f * n_items + i

    usable = np.flatnonzero(allowed)
    n_x = n_items * n_forms
    for f in range(n_forms):
        for area, count in blueprint.items():
            members = np.flatnonzero(allowed & (areas == area))
            add([x(int(i), f) for i in members], np.ones(members.shape[0]), count, count)
        for group in enemy_sets:
            add([x(i, f) for i in group], np.ones(len(group)), -np.inf, 1.0)
    if n_forms > 1 and exposure < n_forms:
        for i in usable:
            add([x(int(i), f) for f in range(n_forms)], np.ones(n_forms), -np.inf, float(exposure))

    n_z = 0
    if n_forms > 1 and exposure > 1 and max_overlap < length:
        for f in range(n_forms):
            for g in range(f + 1, n_forms):
                pair_columns = []
                for i in usable:
                    z = n_x + n_z
                    n_z += 1
                    pair_columns.append(z)
                    add([x(int(i), f), x(int(i), g), z], [1.0, 1.0, -1.0], -np.inf, 1.0)
                add(pair_columns, np.ones(len(pair_columns)), -np.inf, float(max_overlap))

    n_points = info.shape[0]
    y = n_x + n_z
    n_vars = y + 1
    cost = np.zeros(n_vars)
    if objective == "sum":
        for f in range(n_forms):
            cost[f * n_items : (f + 1) * n_items] = -info.sum(axis=0)
    else:
        for f in range(n_forms):
            for k in range(n_points):
                columns = [x(int(i), f) for i in usable] + [y]
                weights = np.append(info[k, usable], -1.0)
                if objective == "maximin":
                    add(columns, weights, 0.0, np.inf)
                else:
                    assert target is not None
                    assert tolerance is not None
                    add(columns, weights, -np.inf, float(target[k] + tolerance[k]))
                    add(columns, np.append(info[k, usable], 1.0), float(target[k] - tolerance[k]), np.inf)
        cost[y] = -1.0 if objective == "maximin" else 1.0

    upper_bound = np.zeros(n_vars)
    for f in range(n_forms):
        upper_bound[f * n_items + usable] = 1.0
    upper_bound[n_x:y] = 1.0
    upper_bound[y] = np.inf if objective != "sum" else 0.0
    lower_bound = np.zeros(n_vars)
    integrality = np.zeros(n_vars)
    integrality[:n_x] = 1

    matrix = coo_array((values, (rows, cols)), shape=(len(lower), n_vars)).tocsr()
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        integrality=integrality,
        bounds=Bounds(lower_bound, upper_bound),
        options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_rel_gap)},
    )
    if result.status == 2:
        raise ValueError(
            "no set of forms meets all the constraints together (blueprint, enemy sets, exposure, overlap, "
            "exclusions)"
        )
    if result.x is None:
        raise ValueError(f"the solver found no form within the time limit ({time_limit} s): {result.message}")
    if result.status not in _STATUS:
        raise ValueError(f"the solver stopped without a usable solution: {result.message}")
    chosen = np.asarray(result.x[:n_x], dtype=np.float64).reshape(n_forms, n_items) > 0.5
    forms = [np.flatnonzero(chosen[f]).astype(np.int64) for f in range(n_forms)]
    gap = float(result.mip_gap) if getattr(result, "mip_gap", None) is not None else float("nan")
    return forms, _STATUS[int(result.status)], gap


def _check_common(
    pool: ItemPool, blueprint: Mapping[str, int], time_limit: float, enemies: Iterable[Sequence[int | str]]
) -> tuple[dict[str, int], list[list[int]]]:
    if not isinstance(pool, ItemPool):
        raise ValueError("pool must be an ItemPool")
    if not np.isfinite(time_limit) or time_limit <= 0:
        raise ValueError("time_limit must be a positive number of seconds")
    return _check_blueprint(blueprint), _enemy_sets(pool, enemies)


def _dominated(
    pool: ItemPool,
    info: FloatArray,
    counts: Mapping[str, int],
    groups: list[list[int]],
    n_forms: int,
    excluded: frozenset[int] = frozenset(),
) -> set[int]:
    """Items that no maximin solution needs when each item may be used once: in each area, those below
    the ``n_forms * count + e`` most informative at the cut, with ``e`` the area's items that belong to
    an enemy set.

    Exchange argument: if an optimal solution used such an item, at least ``e + 1`` of the area's top
    items would be unused, so one of them is in no enemy set; putting it in the lower item's place keeps
    the blueprint, the enemy and exposure constraints, and does not lower that form's information, so
    the objective does not fall (for maximin and for a sum of information alike). Leaving these items
    out shrinks the program without changing its optimum. Items already ``excluded`` are not counted.
    """
    in_enemy_set = {i for group in groups for i in group}
    dropped: set[int] = set()
    for area, need in counts.items():
        members = [i for i, a in enumerate(pool.areas) if a == area and i not in excluded]
        keep = n_forms * need + sum(1 for i in members if i in in_enemy_set)
        ranked = sorted(members, key=lambda i: -float(info[i]))
        dropped.update(ranked[keep:])
    return dropped


def assemble_forms(
    pool: ItemPool,
    *,
    n_forms: int,
    blueprint: Mapping[str, int],
    theta_cut: float,
    enemies: Iterable[Sequence[int | str]] = (),
    max_overlap: int = 0,
    max_exposure: int = 1,
    target_information: ArrayLike | None = None,
    target_theta: ArrayLike | None = None,
    target_tolerance: float = 0.02,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
) -> Assembly:
    """Assemble parallel fixed forms that meet a blueprint, as one mixed-integer program.

    Without a target, maximise the smallest form information at the cut (maximin; van der Linden,
    2005, section 4.3):

    .. math:: \\max y \\quad \\text{s.t.} \\quad \\sum_i I_i(\\theta_{cut})\\,x_{if} \\ge y \\ \\ \\forall f

    With ``target_information`` :math:`T_k` at ``target_theta`` :math:`\\theta_k`, minimise the largest
    absolute deviation beyond a relative tolerance :math:`\\epsilon` (minimax; section 4.4):

    .. math:: \\min y \\quad \\text{s.t.} \\quad
              \\Big|\\sum_i I_i(\\theta_k)\\,x_{if} - T_k\\Big| \\le \\epsilon T_k + y
              \\ \\ \\forall f, k, \\quad y \\ge 0

    The tolerance lets the solver stop as soon as every form is within it: the linear relaxation of an
    attainable target has a deviation of 0, so without one the gap never closes and the solver runs
    until the time limit.

    Both subject to the blueprint, enemy, exposure and overlap constraints of the module docstring.

    Parameters
    ----------
    pool
        The item pool (n_items items with areas and optional ids).
    n_forms
        How many forms, >= 1.
    blueprint
        Area label -> number of items of that area on every form (exactly).
    theta_cut
        The passing ability; each form's information is reported there.
    enemies
        Enemy sets: each a sequence of pool indices (or ids) of which at most one may be on a form.
    max_overlap
        Most items any two forms may share; 0 makes every item appear on at most one form.
    max_exposure
        Most forms any item may appear on.
    target_information, target_theta
        Shape (n_points,) each: the target information function and the abilities it is given at
        (``target_theta`` defaults to the single point ``theta_cut``).
    target_tolerance
        :math:`\\epsilon`, the relative deviation from the target that counts as meeting it, >= 0.
    time_limit
        Seconds the solver may take; the best solution found by then is returned with status
        ``"time_limit"``.
    mip_rel_gap
        Relative optimality gap at which the solver stops.

    Returns
    -------
    Assembly

    Raises
    ------
    ValueError
        If an input is malformed, an area has too few usable items for the blueprint, the constraints
        cannot be met together, or no solution was found in time.

    References
    ----------
    van der Linden, W. J. (2005). *Linear Models for Optimal Test Design*, ch. 4-6.
    """
    counts, groups = _check_common(pool, blueprint, time_limit, enemies)
    if int(n_forms) != n_forms or n_forms < 1:
        raise ValueError(f"n_forms must be a whole number >= 1, got {n_forms}")
    if int(max_exposure) != max_exposure or max_exposure < 1:
        raise ValueError(f"max_exposure must be a whole number >= 1, got {max_exposure}")
    if int(max_overlap) != max_overlap or max_overlap < 0:
        raise ValueError(f"max_overlap must be a whole number >= 0, got {max_overlap}")
    if not np.isfinite(theta_cut):
        raise ValueError("theta_cut must be finite")
    if not 0 <= mip_rel_gap < 1:
        raise ValueError("mip_rel_gap must lie in [0, 1)")

    grid: FloatArray | None = None
    target: FloatArray | None = None
    if target_information is not None:
        target = np.atleast_1d(np.asarray(target_information, dtype=np.float64))
        grid = np.atleast_1d(
            np.asarray(theta_cut if target_theta is None else target_theta, dtype=np.float64)
        )
        if target.ndim != 1 or grid.shape != target.shape:
            raise ValueError("target_information needs one value per target_theta point")
        if not (np.isfinite(target).all() and np.isfinite(grid).all()) or (target < 0).any():
            raise ValueError("the target information must be finite and non-negative at finite abilities")
        if not np.isfinite(target_tolerance) or target_tolerance < 0:
            raise ValueError("target_tolerance must be a non-negative number")
    elif target_theta is not None:
        raise ValueError("target_theta is only used with target_information")

    cut_info = item_information(np.array([float(theta_cut)]), pool.items)
    if grid is None:
        forms, status, gap = _solve(
            pool,
            n_forms=int(n_forms),
            blueprint=counts,
            enemy_sets=groups,
            excluded=_dominated(pool, cut_info[0], counts, groups, int(n_forms))
            if max_exposure == 1
            else set(),
            max_exposure=int(max_exposure),
            max_overlap=int(max_overlap),
            objective="maximin",
            info=cut_info,
            target=None,
            tolerance=None,
            time_limit=time_limit,
            mip_rel_gap=mip_rel_gap,
        )
    else:
        forms, status, gap = _solve(
            pool,
            n_forms=int(n_forms),
            blueprint=counts,
            enemy_sets=groups,
            excluded=set(),
            max_exposure=int(max_exposure),
            max_overlap=int(max_overlap),
            objective="target",
            info=item_information(grid, pool.items),
            target=target,
            tolerance=target_tolerance * target if target is not None else None,
            time_limit=time_limit,
            mip_rel_gap=mip_rel_gap,
        )

    at_cut = np.array([cut_info[0, form].sum() for form in forms])
    target_info: FloatArray | None = None
    deviation: float | None = None
    if grid is not None and target is not None:
        grid_info = item_information(grid, pool.items)
        target_info = np.array([grid_info[:, form].sum(axis=1) for form in forms])
        deviation = float(np.abs(target_info - target[None, :]).max())
    return Assembly(
        forms=tuple(forms),
        theta=float(theta_cut),
        information=at_cut,
        status=status,
        mip_gap=gap,
        ids=_ids(pool, forms),
        target_theta=grid,
        target_information=target_info,
        max_deviation=deviation,
    )


def _ids(pool: ItemPool, forms: list[IntArray]) -> tuple[tuple[str, ...], ...] | None:
    if pool.ids is None:
        return None
    ids = pool.ids
    return tuple(tuple(ids[int(i)] for i in form) for form in forms)


def assemble_lof(
    pool: ItemPool,
    *,
    blueprint: Mapping[str, int],
    theta: float,
    rng: np.random.Generator,
    exclude: Iterable[int | str] = (),
    enemies: Iterable[Sequence[int | str]] = (),
    randomesque: float = 0.3,
    time_limit: float = 5.0,
    mip_rel_gap: float = 1e-4,
) -> Assembly:
    """Assemble one linear-on-the-fly form for one candidate, informative at ``theta`` and randomised.

    Maximise the perturbed information at ``theta`` (the candidate's ability estimate, or the cut):

    .. math:: \\max \\sum_i I_i(\\theta)\\,(1 + r u_i)\\,x_i, \\qquad u_i \\sim U(-1, 1)

    drawn from ``rng``, subject to the blueprint and enemy constraints and the exclusions. The noise
    makes a different near-optimal form come out for each draw, which spreads item exposure across
    candidates; the price is bounded: the chosen form's information is at least
    :math:`(1 - r)/(1 + r)` of the best form's. The bound is loose: on a simulated pool of 300 items and
    forms of 40, :math:`r = 0.3` kept about 97% of the best information while two candidates' forms
    shared about 27 items (36 at :math:`r = 0.1`). Items far more informative than the rest of their area
    are still chosen for nearly every candidate; cap their use with ``exclude`` (e.g. items over their
    exposure budget). ``randomesque = 0`` gives the most informative form.

    Parameters
    ----------
    pool
        The item pool.
    blueprint
        Area label -> number of items of that area on the form.
    theta
        The ability the form should measure best at.
    rng
        The generator the perturbation is drawn from.
    exclude
        Pool indices (or ids) that must not be used, e.g. items the candidate has already seen.
    enemies
        Enemy sets, at most one item of each on the form.
    randomesque
        The relative size :math:`r` of the perturbation, in [0, 1).
    time_limit
        Seconds the solver may take.
    mip_rel_gap
        Relative optimality gap at which the solver stops.

    Returns
    -------
    Assembly
        With one form; ``information`` is its true (unperturbed) information at ``theta``.

    Raises
    ------
    ValueError
        If an input is malformed or no form meets the constraints.

    References
    ----------
    van der Linden, W. J. (2005). *Linear Models for Optimal Test Design*, ch. 9 (models for adaptive
    and on-the-fly assembly); Kingsbury, G. G. & Zara, A. R. (1989). Procedures for selecting items for
    computerized adaptive tests. *Applied Measurement in Education*, 2(4), 359-375 (randomesque exposure
    control).
    """
    counts, groups = _check_common(pool, blueprint, time_limit, enemies)
    if not np.isfinite(theta):
        raise ValueError("theta must be finite")
    if not 0 <= randomesque < 1:
        raise ValueError("randomesque must lie in [0, 1)")
    excluded = {_resolve(pool, ref, "exclude") for ref in exclude}
    info = item_information(np.array([float(theta)]), pool.items)
    perturbed = info * (1.0 + randomesque * rng.uniform(-1.0, 1.0, size=pool.n_items))[None, :]
    forms, status, gap = _solve(
        pool,
        n_forms=1,
        blueprint=counts,
        enemy_sets=groups,
        excluded=excluded | _dominated(pool, perturbed[0], counts, groups, 1, frozenset(excluded)),
        max_exposure=1,
        max_overlap=0,
        objective="sum",
        info=perturbed,
        target=None,
        tolerance=None,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
    )
    return Assembly(
        forms=tuple(forms),
        theta=float(theta),
        information=np.array([info[0, forms[0]].sum()]),
        status=status,
        mip_gap=gap,
        ids=_ids(pool, forms),
    )
