"""The curse of dimensionality (Michelucci 2022, §3.2.2, eq. 23-24, Table 3).

``m`` points drawn uniformly in the unit cube ``[0, 1]^d``:

* :func:`cube_side` -- eq. 23: the side ``l = (1/m)^(1/d)`` of a sub-cube
  that holds one point on average (``m l^d = 1``);
* :func:`expected_points_in_cube` -- eq. 24: ``m side^d`` points fall, on
  average, in a sub-cube of side ``side`` (the paper takes 1/10);
* :func:`smallest_cube_median` -- the exact median of the side of the
  smallest corner cube ``[0, s]^d`` that holds at least one of the points;
* :func:`corner_cube_sides` -- a Monte Carlo simulation of the same points,
  from which both quantities can be measured.
"""

from __future__ import annotations

import numpy as np

from . import config
from ._checks import as_float_array, as_number

__all__ = ["corner_cube_sides", "cube_side", "expected_points_in_cube", "smallest_cube_median"]


def _check_md(m, d) -> tuple[np.ndarray, np.ndarray]:
    for value, name in ((m, "m"), (d, "d")):
        if as_float_array(value, name).size == 0:  # refuses text, NaN and inf
            raise ValueError(f"{name} is empty: pass a number or a non-empty array")
    m_arr, d_arr = np.asarray(m, dtype=np.float64), np.asarray(d, dtype=np.float64)
    if np.any(m_arr < 1) or np.any(d_arr < 1):
        raise ValueError(f"m (number of points) and d (dimension) must be >= 1, got m={m}, d={d}")
    return m_arr, d_arr


def cube_side(m, d):
    """Eq. 23: the side ``(1/m)^(1/d)`` of a sub-cube expected to hold one of ``m`` points."""
    m_arr, d_arr = _check_md(m, d)
    return (1.0 / m_arr) ** (1.0 / d_arr)


def expected_points_in_cube(m, d, side: float = 0.1):
    """Eq. 24: the mean number ``m side^d`` of ``m`` uniform points inside a sub-cube of side ``side``."""
    m_arr, d_arr = _check_md(m, d)
    if not 0.0 <= as_number(side, "side") <= 1.0:
        raise ValueError(f"side must lie in [0, 1] (a sub-cube of the unit cube), got {side}")
    return m_arr * float(side) ** d_arr


def smallest_cube_median(m, d):
    """Median side of the smallest corner cube ``[0, s]^d`` holding at least one of ``m`` points.

    The cube misses all points with probability ``(1 - s^d)^m``; setting that
    to 1/2 gives ``s = (1 - 2^(-1/m))^(1/d)``, about ``(ln 2 / m)^(1/d)``:
    the same scaling as eq. 23 with ``ln 2`` in place of 1.
    """
    m_arr, d_arr = _check_md(m, d)
    return (-np.expm1(-np.log(2.0) / m_arr)) ** (1.0 / d_arr)


def corner_cube_sides(m: int, d: int, trials: int, seed: int, chunk_elements: int = 4_000_000) -> np.ndarray:
    """Simulate ``trials`` sets of ``m`` uniform points in ``[0, 1]^d``; return their largest coordinates.

    Entry ``[t, i]`` is the side of the smallest corner cube ``[0, s]^d`` that
    contains point ``i`` of trial ``t`` (its largest coordinate). So
    ``(sides < l).sum(axis=1)`` counts the points in the cube of side ``l``
    (eq. 23, 24) and ``sides.min(axis=1)`` is the smallest cube holding a
    point. Points are drawn in chunks of about ``chunk_elements`` numbers, so
    memory stays bounded for large ``d``. Deterministic for a given ``seed``.
    """
    m = as_number(m, "m", integer=True, minimum=1)
    d = as_number(d, "d", integer=True, minimum=1)
    trials = as_number(trials, "trials", integer=True, minimum=1)
    rng = np.random.default_rng(config.resolve_seed(seed))
    out = np.empty((trials, m), dtype=np.float64)
    per_chunk = max(1, int(chunk_elements) // (m * d))
    for start in range(0, trials, per_chunk):
        n = min(per_chunk, trials - start)
        if m * d <= chunk_elements:
            out[start:start + n] = rng.random((n, m, d), dtype=np.float32).max(axis=2)
        else:  # one trial is already larger than a chunk: draw it point block by point block
            rows = max(1, int(chunk_elements) // d)
            for i in range(0, m, rows):
                k = min(rows, m - i)
                out[start, i:i + k] = rng.random((k, d), dtype=np.float32).max(axis=1)
    return out
