"""Tests of aebook.curse: eq. 23-24 and Table 3 (§3.2.2)."""

from __future__ import annotations

import numpy as np
import pytest

import aebook


def test_cube_side_is_eq_23_and_table_3():
    side = aebook.cube_side(1000, np.array([2, 10, 100, 1000]))
    np.testing.assert_allclose(side, [1000 ** -0.5, 1000 ** -0.1, 1000 ** -0.01, 1000 ** -0.001])
    # Table 3 as printed, except d = 2 (erratum: 0.032, not 0.003)
    np.testing.assert_array_equal(np.round(side, 2)[1:], [0.50, 0.93, 0.99])
    assert round(float(side[0]), 3) == 0.032
    np.testing.assert_allclose(1000 * side ** np.array([2, 10, 100, 1000]), 1.0)


def test_expected_points_is_eq_24():
    np.testing.assert_allclose(aebook.expected_points_in_cube(1000, [1, 2, 3]), [100.0, 10.0, 1.0])
    assert aebook.expected_points_in_cube(1000, 2, side=0.5) == pytest.approx(250.0)
    with pytest.raises(ValueError, match="side must lie in"):
        aebook.expected_points_in_cube(1000, 2, side=2.0)


def test_smallest_cube_median_solves_its_equation():
    for m, d in ((1000, 2), (10, 5), (1000, 1000)):
        s = aebook.smallest_cube_median(m, d)
        assert (1 - s**d) ** m == pytest.approx(0.5, rel=1e-9)
        assert s < aebook.cube_side(m, d)  # ln 2 < 1


def test_bad_m_or_d():
    with pytest.raises(ValueError, match="must be >= 1"):
        aebook.cube_side(0, 2)
    with pytest.raises(ValueError, match="must be >= 1"):
        aebook.cube_side(10, 0)
    with pytest.raises(ValueError, match="must be >= 1"):
        aebook.corner_cube_sides(10, 2, trials=0, seed=0)


def test_corner_cube_sides_shape_range_and_determinism():
    a = aebook.corner_cube_sides(50, 3, trials=7, seed=1)
    assert a.shape == (7, 50) and a.min() >= 0 and a.max() < 1
    np.testing.assert_array_equal(a, aebook.corner_cube_sides(50, 3, trials=7, seed=1))
    assert not np.array_equal(a, aebook.corner_cube_sides(50, 3, trials=7, seed=2))


def test_corner_cube_sides_chunking_draws_the_same_distribution():
    # one trial larger than a chunk goes through the per-block path
    big = aebook.corner_cube_sides(200, 50, trials=3, seed=0, chunk_elements=1000)
    assert big.shape == (3, 200)
    # the largest of d uniforms has mean d / (d + 1)
    assert abs(big.mean() - 50 / 51) < 0.01


def test_simulated_mean_count_matches_eq_23():
    m, d, trials = 100, 2, 400
    sides = aebook.corner_cube_sides(m, d, trials=trials, seed=0)
    counts = (sides < aebook.cube_side(m, d)).sum(axis=1)
    assert abs(counts.mean() - 1.0) < 4 / np.sqrt(trials)  # Poisson(1): standard error 1/sqrt(trials)
