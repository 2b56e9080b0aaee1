"""Item calibration and automated test assembly, ours beside the Python peers on PyPI: ``make bench``.

In one run, on the machine it runs on:

1. Calibration. Fixed-seed simulated data (``wrenchmark.psychometrics.synthetic``): N examinees (default
   20,000) with abilities from N(0, 1) answer J items (default 100), once under a 2PL (a ~ lognormal(0, 0.3)
   clipped to [0.4, 2.5], b ~ N(0, 1)) and once under a 3PL with c ~ U(0.10, 0.25). Each implementation
   calibrates the same matrix: ours (``wrenchmark.psychometrics.irt.estimation.calibrate``), then each peer
   that fits the model: girth (NumPy/SciPy), mirt (Rust backend; at its default grid and again at ours)
   and theta-irt (JAX). Printed: wall-clock seconds of the fitting call (``time.perf_counter``; importing
   the library and converting the matrix to its documented input format are not timed, a JIT compile or
   first-call setup inside the call is), responses per second, EM cycles, and the RMSE of the estimated a,
   b (and c) against the generating values. Every implementation here reports the logistic scale without
   the 1.7 factor, P = c + (1 - c) / (1 + exp(-a(theta - b))), the scale of the data, so the RMSEs compare
   directly. Last column: our speed as a ratio to that peer's ("ours is N.Nx faster/slower"). theta-irt
   compiles its EM loop for each matrix shape on the first fit, so it is also timed on a second fit of the
   same matrix.
2. Assembly. A simulated pool (default 2,000 3PL items in five content areas sized like the blueprint,
   with ten enemy pairs among the items most informative at the cut); ``assemble_forms`` for 2 and for 4
   parallel 60-item forms (15/12/12/11/10 by area), no overlap, maximin information at theta = 0.5.
   Printed: seconds, solver status, MIP gap, each form's information at the cut and the spread
   (max - min) / max.

Settings. Ours: 61 points on [-6, 6], ``tol=1e-4`` (the peers' default tolerance), with observed-information
standard errors (computed inside ``calibrate``). Each peer at its documented defaults (printed with the
results; mirt also at 61 points), except the prior on the 3PL lower asymptote: ours is N(-1.5, 0.5) on
logit c; mirt gets the same density through ``CustomPrior``; theta-irt takes only a Beta prior on c, so it
gets the Beta with the same mode and curvature on the logit scale (Beta(5.89, 22.93)); girth's 3PL has no
prior (c bounded to [0, 0.33]).

Threads. Each fit runs in its own freshly spawned process, pinned to ``--threads`` CPUs, with the same
thread count for BLAS and OpenMP (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``),
Rayon (mirt's Rust backend: ``RAYON_NUM_THREADS``) and XLA (theta-irt: one thread is
``--xla_cpu_multi_thread_eigen=false`` in ``XLA_FLAGS``; more follow the pinning), all set before numpy is
imported. Left alone, each library picks its own thread count (OpenBLAS, Rayon and XLA each take every
core), so the figures would compare threading policies rather than estimation. The default is 1: the
reference machine has two cores, and a second thread per fit would compete with the benchmark itself and
with the rest of the machine, which makes the timings noisy rather than faster. The load average is
printed at the start and the end: on a busy machine every figure is slower.

A peer that is not installed, fails, or runs past ``--peer-timeout`` seconds is reported as such and the
run goes on. The benchmark prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import multiprocessing
import os
import shlex
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    import numpy as np
    from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 20261129
PRIOR_C = (-1.5, 0.5)  # normal prior on logit c, ours and mirt's
TOL = 1e-4
QUADRATURE = 61
THETA_CUT = 0.5
BLUEPRINT = {"A": 15, "B": 12, "C": 12, "D": 11, "E": 10}
ENEMY_PAIRS = 10
# Peer fits: (task, label, distribution). mirt runs twice: at its default grid and at ours.
PEERS = (
    ("girth", "girth", "girth"),
    ("mirt", "mirt", "mirt"),
    ("mirt-61", "mirt, 61 points", "mirt"),
    ("theta-irt", "theta-irt", "theta-irt"),
)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")

SETTINGS = {
    "ours": "MML-EM, 61 points on [-6, 6], tol 1e-4 on (a, d, logit c), observed-information SEs (Louis); "
    "3PL: N(-1.5, 0.5) prior on logit c",
    "girth": "twopl_mml / threepl_mml at the defaults: 41 points on [-4.5, 4.5], at most 25 cycles, stopping when "
    "no a moves by more than 1e-3, no SEs; 3PL: c bounded to [0, 0.33], no prior",
    "mirt": "fit_mirt at the defaults: EM, 21 Gauss-Hermite points, tol 1e-4, observed-information SEs; "
    "3PL: the same N(-1.5, 0.5) prior on logit c (CustomPrior)",
    "mirt-61": "the same with n_quadpts=61, the number of points ours uses",
    "theta-irt": "theta.fit at the defaults: EM, 61 Gauss-Hermite points, tol 1e-4, no SEs; "
    "3PL: Beta(5.89, 22.93) on c (the mode and curvature of N(-1.5, 0.5) on logit c)",
}


def beta_like_prior_c() -> tuple[float, float]:
    """The Beta(alpha, beta) on c whose log-density, as a function of logit c, has the same mode and curvature
    as N(PRIOR_C) on logit c: mode c0 = expit(mu), alpha + beta - 2 = 1 / (sd^2 c0 (1 - c0))."""
    import math

    mu, sd = PRIOR_C
    c0 = 1.0 / (1.0 + math.exp(-mu))
    k = 1.0 / (sd * sd * c0 * (1.0 - c0))
    return 1.0 + k * c0, 1.0 + k * (1.0 - c0)


# --------------------------------------------------------------------------------------------------
# Threads: the same for every implementation, set before numpy is imported
# --------------------------------------------------------------------------------------------------


def set_threads(threads: int) -> dict[str, str]:
    values = {name: str(threads) for name in THREAD_VARIABLES}
    # XLA has no thread-count flag: one thread is "no multi-threaded Eigen"; for more, its pool follows the
    # CPUs the process is pinned to.
    xla = [flag for flag in os.environ.get("XLA_FLAGS", "").split() if "multi_thread_eigen" not in flag]
    if threads == 1:
        xla.append("--xla_cpu_multi_thread_eigen=false")
    values["XLA_FLAGS"] = " ".join(xla)
    os.environ.update(values)
    return values


def pin(threads: int) -> list[int]:
    """Pin this process to the first ``threads`` CPUs it may use; return the CPUs it runs on."""
    if not hasattr(os, "sched_setaffinity"):
        return []
    cpus = sorted(os.sched_getaffinity(0))
    if threads < len(cpus):
        os.sched_setaffinity(0, cpus[:threads])
    return sorted(os.sched_getaffinity(0))


# --------------------------------------------------------------------------------------------------
# The fits (each runs in a spawned process)
# --------------------------------------------------------------------------------------------------


@dataclass
class Fit:
    seconds: float
    a: Any
    b: Any
    c: Any
    iterations: int | None
    converged: bool | None
    warm_seconds: float | None = None
    warnings: list[str] = field(default_factory=list)


def fit_ours(x: NDArray[np.int8], model: str) -> Fit:
    import numpy as np

    from wrenchmark.psychometrics.irt.estimation import calibrate

    data = x.astype(np.float64)
    started = time.perf_counter()
    if model == "3pl":
        cal = calibrate(data, model="3pl", prior_c=PRIOR_C, tol=TOL, quadrature=QUADRATURE)
    else:
        cal = calibrate(data, model="2pl", tol=TOL, quadrature=QUADRATURE)
    seconds = time.perf_counter() - started
    return Fit(seconds, cal.a, cal.b, cal.c, cal.iterations, cal.converged)


def fit_girth(x: NDArray[np.int8], model: str) -> Fit:
    import girth
    import numpy as np

    data = np.ascontiguousarray(x.T).astype(int)  # girth takes items x participants
    started = time.perf_counter()
    out = girth.threepl_mml(data) if model == "3pl" else girth.twopl_mml(data)
    seconds = time.perf_counter() - started
    c = out["Guessing"] if model == "3pl" else np.zeros(x.shape[1])
    return Fit(seconds, out["Discrimination"], out["Difficulty"], c, None, None)


def _logit_normal_log_density(c: NDArray[np.float64]) -> NDArray[np.float64]:
    """log N(logit c; PRIOR_C) up to a constant, as a function of c (no Jacobian: the same posterior mode
    as a normal prior on logit c); -inf outside (0, 1)."""
    import numpy as np

    mu, sd = PRIOR_C
    c = np.asarray(c, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.log(c) - np.log1p(-c) - mu) / sd
        out: NDArray[np.float64] = np.where((c > 0) & (c < 1), -0.5 * z * z, -np.inf)
    return out


def _logit_normal_gradient(c: NDArray[np.float64]) -> NDArray[np.float64]:
    import numpy as np

    mu, sd = PRIOR_C
    c = np.asarray(c, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = -(np.log(c) - np.log1p(-c) - mu) / (sd * sd) / (c * (1.0 - c))
        out: NDArray[np.float64] = np.where((c > 0) & (c < 1), g, np.nan)
    return out


def _logit_normal_sample(size: int | tuple[int, ...], rng: np.random.Generator | None) -> NDArray[np.float64]:
    import numpy as np

    generator = rng if rng is not None else np.random.default_rng(SEED)
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-generator.normal(PRIOR_C[0], PRIOR_C[1], size)))
    return out


def fit_mirt(x: NDArray[np.int8], model: str, n_quadpts: int | None = None) -> Fit:
    import mirt
    import numpy as np
    from mirt.estimation.priors import CustomPrior

    data = x.astype(np.int64)
    grid: dict[str, Any] = {} if n_quadpts is None else {"n_quadpts": n_quadpts}
    started = time.perf_counter()
    if model == "3pl":
        prior = CustomPrior(
            _logit_normal_log_density,
            _logit_normal_sample,
            mean_value=0.19,  # of expit(N(-1.5, 0.5)), for mirt's own use
            variance_value=0.0056,
            grad_log_pdf_fn=_logit_normal_gradient,
        )
        result = mirt.fit_mirt(data, model="3PL", priors={"guessing": prior}, **grid)
    else:
        result = mirt.fit_mirt(data, model="2PL", **grid)
    seconds = time.perf_counter() - started
    fitted: Any = result.model
    c = fitted.guessing if model == "3pl" else np.zeros(x.shape[1])
    return Fit(
        seconds, fitted.discrimination, fitted.difficulty, c, int(result.n_iterations), bool(result.converged)
    )


def fit_mirt_61(x: NDArray[np.int8], model: str) -> Fit:
    return fit_mirt(x, model, n_quadpts=QUADRATURE)


def fit_theta(x: NDArray[np.int8], model: str) -> Fit:
    import numpy as np
    import theta

    data = x.astype(np.float64)
    kwargs: dict[str, Any] = {}
    if model == "3pl":
        alpha, beta = beta_like_prior_c()
        kwargs["priors"] = theta.Priors(c_a=alpha, c_b=beta)

    def once() -> tuple[float, Any]:
        started = time.perf_counter()
        fitted = theta.fit(data, model.upper(), **kwargs)
        np.asarray(fitted.a)  # results are on the host once this returns
        return time.perf_counter() - started, fitted

    seconds, fitted = once()
    warm, _ = once()
    c = fitted.c if model == "3pl" else np.zeros(x.shape[1])
    return Fit(seconds, fitted.a, fitted.b, c, int(fitted.n_iter), bool(fitted.converged), warm_seconds=warm)


FITS: dict[str, Callable[[Any, str], Fit]] = {
    "ours": fit_ours,
    "girth": fit_girth,
    "mirt": fit_mirt,
    "mirt-61": fit_mirt_61,
    "theta-irt": fit_theta,
}


def assemble(pool_size: int, forms: int, seed: int, time_limit: float) -> dict[str, Any]:
    """Build the simulated pool (the same for every call with the same seed) and time ``assemble_forms``
    (``forms`` > 0) or, with ``forms`` = 0, 20 linear-on-the-fly forms for candidates of abilities
    spread over [-2, 2] (the median and the slowest are reported)."""
    import numpy as np

    from wrenchmark.psychometrics.assembly import ItemPool, assemble_forms, assemble_lof
    from wrenchmark.psychometrics.irt.models import item_information
    from wrenchmark.psychometrics.synthetic import item_parameters

    rng = np.random.default_rng(seed)
    items = item_parameters(rng, pool_size, model="3pl")
    length = sum(BLUEPRINT.values())
    sizes = [pool_size * n // length for n in BLUEPRINT.values()]
    sizes[0] += pool_size - sum(sizes)
    labels = np.repeat(list(BLUEPRINT), sizes)
    areas = tuple(str(area) for area in rng.permutation(labels))
    pool = ItemPool(items=items, areas=areas)
    # Enemy pairs among the items most informative at the cut, in the same area, so that they bind.
    info = item_information(np.array([THETA_CUT]), items)[0]
    enemies: list[tuple[int, int]] = []
    for k, area in enumerate(BLUEPRINT):
        members = np.flatnonzero(np.array(areas) == area)
        best = members[np.argsort(-info[members])][: 2 * (ENEMY_PAIRS // len(BLUEPRINT) + 1)]
        pairs = [(int(best[i]), int(best[i + 1])) for i in range(0, len(best) - 1, 2)]
        enemies.extend(pairs[: ENEMY_PAIRS // len(BLUEPRINT) + (k < ENEMY_PAIRS % len(BLUEPRINT))])
    if forms == 0:
        times, info_at = [], []
        for k, theta in enumerate(np.linspace(-2.0, 2.0, 20)):
            started = time.perf_counter()
            lof = assemble_lof(
                pool,
                blueprint=BLUEPRINT,
                theta=float(theta),
                rng=np.random.default_rng([seed, k]),
                enemies=enemies,
                time_limit=time_limit,
            )
            times.append(time.perf_counter() - started)
            info_at.append(float(lof.information[0]))
        return {
            "seconds": float(np.median(times)),
            "slowest": float(max(times)),
            "status": lof.status,
            "gap": lof.mip_gap,
            "information": info_at,
        }
    started = time.perf_counter()
    result = assemble_forms(
        pool,
        n_forms=forms,
        blueprint=BLUEPRINT,
        theta_cut=THETA_CUT,
        enemies=enemies,
        max_overlap=0,
        time_limit=time_limit,
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "status": result.status,
        "gap": result.mip_gap,
        "information": [float(v) for v in result.information],
    }


def worker(task: str, args: tuple[Any, ...], threads: int, conn: Connection) -> None:
    """Run one task in this (spawned) process and send back ("ok", result) or ("error", reason)."""
    pin(threads)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result: Any = assemble(*args) if task == "assembly" else FITS[task](*args)
        if isinstance(result, Fit):
            seen = dict.fromkeys(f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught)
            result.warnings = list(seen)
        conn.send(("ok", result))
    except BaseException as exc:  # report anything, including an import that fails half-way
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        message = str(exc).splitlines()[0] if str(exc) else ""
        conn.send(("error", f"{type(exc).__name__}: {message}{where}"))
    finally:
        conn.close()


def run(task: str, args: tuple[Any, ...], threads: int, timeout: float | None) -> tuple[str, Any]:
    """Run ``task`` in a fresh spawned process; ("ok", result), ("error", reason) or ("timeout", seconds)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=worker, args=(task, args, threads, send), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            process.kill()
            return "timeout", timeout
        try:
            outcome: tuple[str, Any] = receive.recv()
        except EOFError:
            process.join(10)
            return "error", f"the process ended without a result (exit code {process.exitcode})"
        return outcome
    finally:
        process.join(30)
        if process.is_alive():
            process.kill()
            process.join()
        receive.close()


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


def version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def rmse(estimate: Any, truth: Any) -> float:
    import numpy as np

    e = np.asarray(estimate, dtype=np.float64).ravel()
    return float(np.sqrt(np.mean((e - truth) ** 2))) if e.shape == truth.shape else float("nan")


def ratio(ours: float, theirs: float) -> str:
    factor = max(theirs, ours) / min(theirs, ours)
    shown = f"{factor:.2f}" if factor < 1.1 else f"{factor:.1f}"
    return f"ours is {shown}x {'faster' if theirs >= ours else 'slower'}"


def simulate(persons: int, items: int, model: str, seed: int) -> tuple[Any, Any]:
    import numpy as np

    from wrenchmark.psychometrics import synthetic

    rng = np.random.default_rng(seed)
    truth = synthetic.item_parameters(rng, items, model=model)
    theta = synthetic.abilities(rng, persons)
    x = synthetic.responses(rng, theta, truth).astype(np.int8)
    return x, truth


def calibration(args: argparse.Namespace, threads: int) -> None:
    header = (
        f"{'implementation':<24} {'version':<8} {'model':<5} {'seconds':>8} {'responses/s':>12} {'cycles':>6} "
        f"{'conv':>4} {'RMSE a':>7} {'RMSE b':>7} {'RMSE c':>7}  speed"
    )
    fits = [("ours", "wrenchmark (ours)", "wrenchmark"), *([] if args.skip_peers else PEERS)]
    notes: list[str] = []
    print(
        f"\nCalibration: {args.persons:,} examinees x {args.items:,} items, seed {args.seed}; "
        f"{args.threads} thread(s) per fit"
    )
    print(header)
    print("-" * len(header))
    for m, model in enumerate(("2pl", "3pl")):
        x, truth = simulate(args.persons, args.items, model, args.seed + m)
        n_responses = x.size
        ours_seconds: float | None = None
        for name, label, distribution in fits:
            ver = version(distribution)
            if ver is None:
                print(f"{label:<24} {'-':<8} {model.upper():<5} not available (see below)")
                notes.append(
                    f"{label} {model.upper()}: not available: not installed (pip install {distribution})"
                )
                continue
            timeout = None if name == "ours" else args.peer_timeout
            status, result = run(name, (x, model), threads, timeout)
            if status == "timeout":
                print(f"{label:<24} {ver:<8} {model.upper():<5} timed out after {result:.0f} s")
                notes.append(f"{label} {model.upper()}: timed out after {result:.0f} s (--peer-timeout)")
                continue
            if status == "error":
                print(f"{label:<24} {ver:<8} {model.upper():<5} not available (see below)")
                notes.append(f"{label} {model.upper()}: not available: failed at run time: {result}")
                continue
            fit: Fit = result
            c_error = f"{rmse(fit.c, truth.c):7.3f}" if model == "3pl" else f"{'-':>7}"
            rows = [(label, fit.seconds)]
            if fit.warm_seconds is not None:
                rows.append((f"{label}, 2nd fit", fit.warm_seconds))
            for row_label, seconds in rows:
                if name == "ours":
                    ours_seconds = seconds
                speed = ratio(ours_seconds, seconds) if name != "ours" and ours_seconds else "-"
                cycles = f"{fit.iterations:>6}" if fit.iterations is not None else f"{'-':>6}"
                converged = {True: "yes", False: "no", None: "-"}[fit.converged]
                print(
                    f"{row_label:<24} {ver:<8} {model.upper():<5} {seconds:8.2f} {n_responses / seconds:12,.0f} "
                    f"{cycles} {converged:>4} {rmse(fit.a, truth.a):7.3f} {rmse(fit.b, truth.b):7.3f} {c_error}  "
                    f"{speed}"
                )
            for message in fit.warnings[:3]:
                notes.append(f"{label} {model.upper()} warned: {message}")
    print("\nSettings:")
    for name, label, _ in fits:
        print(f"  {label}: {SETTINGS[name]}")
    if notes:
        print("Notes:")
        for note in notes:
            print(f"  {note}")


def assembly(args: argparse.Namespace, threads: int) -> None:
    length = sum(BLUEPRINT.values())
    blueprint = "/".join(str(n) for n in BLUEPRINT.values())
    print(
        f"\nAssembly: pool of {args.pool:,} 3PL items in {len(BLUEPRINT)} areas, {length}-item forms "
        f"({blueprint}), {ENEMY_PAIRS} enemy pairs, no overlap, maximin information at theta = {THETA_CUT}"
    )
    header = f"{'forms':>5} {'seconds':>8} {'status':<10} {'MIP gap':>8}  {'information at the cut, each form':<40} spread"
    print(header)
    print("-" * len(header))
    for forms in (2, 4):
        status, result = run(
            "assembly", (args.pool, forms, args.seed + 7, args.assembly_time_limit), threads, None
        )
        if status != "ok":
            print(f"{forms:>5} failed: {result}")
            continue
        info = result["information"]
        spread = (max(info) - min(info)) / max(info)
        shown = " ".join(f"{v:.3f}" for v in info)
        print(
            f"{forms:>5} {result['seconds']:8.2f} {result['status']:<10} {result['gap']:8.1e}  {shown:<40} "
            f"{spread:.2%}"
        )
    status, result = run("assembly", (args.pool, 0, args.seed + 7, args.assembly_time_limit), threads, None)
    if status != "ok":
        print(f"linear-on-the-fly failed: {result}")
    else:
        print(
            f"Linear-on-the-fly, one {length}-item form per candidate (20 candidates, abilities -2 to 2, "
            f"randomesque 0.3): median {result['seconds'] * 1000:.0f} ms, slowest {result['slowest'] * 1000:.0f} ms, "
            f"last status {result['status']}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, help="examinees (default 20,000; 2,000 with --quick)")
    parser.add_argument("--items", type=int, help="items (default 100; 40 with --quick)")
    parser.add_argument("--pool", type=int, help="assembly pool size (default 2,000; 500 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: 2,000 x 40, pool of 500")
    parser.add_argument("--skip-peers", action="store_true", help="time ours only")
    parser.add_argument("--threads", type=int, default=1, help="threads (and CPUs) per fit, the same for all")
    parser.add_argument(
        "--peer-timeout", type=float, default=600.0, help="seconds per peer fit (default 600)"
    )
    parser.add_argument("--assembly-time-limit", type=float, default=60.0, help="solver seconds per assembly")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    args.persons = args.persons or (2_000 if args.quick else 20_000)
    args.items = args.items or (40 if args.quick else 100)
    args.pool = args.pool or (500 if args.quick else 2_000)
    if args.pool < 4 * sum(BLUEPRINT.values()) * 2:
        parser.error(f"--pool must be at least {8 * sum(BLUEPRINT.values())} for four forms")

    started = time.perf_counter()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # each row as it is measured, also through a pipe
    env = set_threads(args.threads)  # before numpy is imported, here or in any fit
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"Psychometrics benchmark on {cpus} CPU(s), Python {sys.version.split()[0]}")
    print("Threads per fit: " + ", ".join(f"{k}={v}" for k, v in env.items() if k != "XLA_FLAGS"))
    print(
        f"  XLA_FLAGS={env['XLA_FLAGS'] or '(none)'}; each fit in its own process pinned to {args.threads} CPU(s)"
    )
    if load is not None:
        print(f"Load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    calibration(args, args.threads)
    assembly(args, args.threads)

    elapsed = time.perf_counter() - started
    print()
    if load is not None:
        end = os.getloadavg()
        print(f"Load average at the end: {end[0]:.2f} {end[1]:.2f} {end[2]:.2f}")
    print(f"Whole benchmark: {elapsed:.0f} s")
    executable = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else sys.executable
    script = os.path.relpath(__file__)
    print("reproduce with: " + shlex.join([executable, script, *argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
