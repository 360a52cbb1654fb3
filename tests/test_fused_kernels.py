"""Exact 1-D fusion kernels (shared by FAST and FIRE) against cvxpy and brute force."""

import itertools

import cvxpy as cp
import numpy as np
import pytest

from l0learn._shared.fused import flsa, segment_l0, smooth_chain, smooth_star, star_fusion

CLARABEL = dict(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)


def _flsa_value(a, c, lam, theta):
    return 0.5 * np.sum(c * (a - theta) ** 2) + lam * np.abs(np.diff(theta)).sum()


def _flsa_cvxpy(a, c, lam):
    t = cp.Variable(a.size)
    obj = 0.5 * cp.sum(cp.multiply(c, cp.square(a - t)))
    if a.size > 1:
        obj = obj + lam * cp.norm1(cp.diff(t))
    cp.Problem(cp.Minimize(obj)).solve(**CLARABEL)
    return t.value


@pytest.mark.parametrize("seed", range(30))
def test_flsa_matches_qp(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 40))
    a = np.round(rng.normal(size=m), 1)  # ties
    c = rng.uniform(0.1, 3.0, m)
    if seed % 3 == 0:
        c[rng.integers(0, m, size=m // 3)] = 0.0  # levels without data
    lam = [0.0, 0.01, 0.2, 1.0, 50.0][seed % 5]
    out = np.empty(m)
    flsa(a, c, lam, out)
    ref = _flsa_cvxpy(a, c, lam)
    assert _flsa_value(a, c, lam, out) <= _flsa_value(a, c, lam, ref) + 1e-9
    if c.sum() > 0:
        assert np.sum(c * out) == pytest.approx(np.sum(c * a), abs=1e-9)
        positive = c > 0
        np.testing.assert_allclose(out[positive], ref[positive], atol=1e-5)


@pytest.mark.parametrize("kernel", [flsa, smooth_chain])
def test_zero_penalty_returns_the_data(kernel):
    rng = np.random.default_rng(1)
    a, c = rng.normal(size=25), rng.uniform(0.5, 2.0, 25)
    out = np.empty(25)
    kernel(a, c, 0.0, out)
    np.testing.assert_allclose(out, a, atol=1e-12)


def test_flsa_extremes():
    rng = np.random.default_rng(1)
    a, c = rng.normal(size=25), rng.uniform(0.5, 2.0, 25)
    out = np.empty(25)
    # lam at least the largest |partial sum| of c*(a - mean): constant solution
    mean = np.sum(c * a) / c.sum()
    lam_max = np.abs(np.cumsum(c * (a - mean))[:-1]).max()
    flsa(a, c, lam_max * 1.0001, out)
    np.testing.assert_allclose(out, mean, atol=1e-12)
    flsa(a, c, lam_max * 0.99, out)
    assert np.ptp(out) > 0


def _segment_brute(a, c, lam):
    m = a.size
    best = np.inf
    for r in range(m):
        for cuts in itertools.combinations(range(1, m), r):
            bounds = [0, *cuts, m]
            value = lam * r
            for s, e in zip(bounds[:-1], bounds[1:]):
                cc = c[s:e]
                if cc.sum() > 0:
                    mu = np.sum(cc * a[s:e]) / cc.sum()
                    value += 0.5 * np.sum(cc * (a[s:e] - mu) ** 2)
            best = min(best, value)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_segment_l0_matches_enumeration_and_pelt_matches_full_dp(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 10))
    a = rng.normal(size=m) + 2.0 * (np.arange(m) > m // 2)
    c = rng.uniform(0.1, 2.0, m)
    lam = float(rng.uniform(0.0, 1.5))
    out, out_full = np.empty(m), np.empty(m)
    value = segment_l0(a, c, lam, out, True)
    value_full = segment_l0(a, c, lam, out_full, False)
    brute = _segment_brute(a, c, lam)
    assert value == pytest.approx(brute, abs=1e-10)
    assert value_full == pytest.approx(brute, abs=1e-10)
    achieved = 0.5 * np.sum(c * (a - out) ** 2) + lam * np.count_nonzero(np.diff(out))
    assert achieved <= brute + 1e-10


def test_segment_l0_pelt_on_long_sequence_equals_full_dp():
    rng = np.random.default_rng(7)
    a = np.repeat(rng.normal(scale=3, size=40), 25) + rng.normal(size=1000)
    c = rng.uniform(0.5, 1.5, 1000)
    out, out_full = np.empty(1000), np.empty(1000)
    assert segment_l0(a, c, 2.0, out, True) == pytest.approx(
        segment_l0(a, c, 2.0, out_full, False), abs=1e-8)
    np.testing.assert_allclose(out, out_full, atol=1e-10)


@pytest.mark.parametrize("seed", range(15))
def test_star_fusion_matches_qp(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 8))
    a, c = rng.normal(size=m), rng.uniform(0.1, 2.0, m)
    lam = float(rng.uniform(0.0, 1.0))
    out = np.empty(m)
    star_fusion(a, c, lam, out)
    t, mu = cp.Variable(m), cp.Variable()
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum(cp.multiply(c, cp.square(a - t)))
                                  + lam * cp.norm1(t - mu)))
    prob.solve(**CLARABEL)
    ours = 0.5 * np.sum(c * (a - out) ** 2) + lam * np.abs(out - np.median(out)).sum()
    assert ours <= prob.value + 1e-8
    assert np.sum(c * out) == pytest.approx(np.sum(c * a), abs=1e-10)


def test_star_fusion_is_total_variation_for_two_levels():
    a, c = np.array([0.3, -1.2]), np.array([2.0, 0.5])
    out, ref = np.empty(2), np.empty(2)
    star_fusion(a, c, 0.2, out)
    flsa(a, c, 0.2, ref)
    np.testing.assert_allclose(out, ref, atol=1e-12)


def _smooth_qp(a, c, lam, star=False):
    t = cp.Variable(a.size)
    obj = 0.5 * cp.sum(cp.multiply(c, cp.square(a - t)))
    if star:
        mu = cp.Variable()
        obj = obj + 0.5 * lam * cp.sum_squares(t - mu)
    elif a.size > 1:
        obj = obj + 0.5 * lam * cp.sum_squares(cp.diff(t))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(**CLARABEL)
    return t.value, prob.value


@pytest.mark.parametrize("seed", range(30))
def test_smooth_chain_matches_qp(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 40))
    a = np.round(rng.normal(size=m), 1)
    c = rng.uniform(0.01, 3.0, m)
    if seed % 3 == 0:
        c[rng.integers(0, m, size=m // 3)] = 0.0  # levels without data
    lam = [0.0, 0.01, 0.2, 1.0, 50.0, 1e4][seed % 6]
    out = np.empty(m)
    smooth_chain(a, c, lam, out)
    if c.sum() == 0:
        np.testing.assert_array_equal(out, 0.0)
        return
    value = 0.5 * np.sum(c * (a - out) ** 2) + 0.5 * lam * np.sum(np.diff(out) ** 2)
    ref, ref_value = _smooth_qp(a, c, lam)
    assert value <= ref_value + 1e-9 * (1 + abs(ref_value))
    assert np.sum(c * out) == pytest.approx(np.sum(c * a), abs=1e-9)
    positive = c > 0
    np.testing.assert_allclose(out[positive], ref[positive], atol=1e-5)
    if lam > 0:  # a level without data lies on the line between its neighbours
        np.testing.assert_allclose(out, ref, atol=1e-5)


def test_smooth_chain_extremes_and_gaps():
    rng = np.random.default_rng(3)
    a, c = rng.normal(size=30), rng.uniform(0.5, 2.0, 30)
    out = np.empty(30)
    smooth_chain(a, c, 1e12, out)  # the weighted mean, kept exactly however large lam is
    np.testing.assert_allclose(out, np.sum(c * a) / c.sum(), atol=1e-9)
    c[[0, 1, 7, 29]] = 0.0  # unpenalised fit: gaps take the nearest weighted value on the left
    smooth_chain(a, c, 0.0, out)
    np.testing.assert_allclose(out[[0, 1, 7, 29]], [a[2], a[2], a[6], a[28]], atol=1e-12)


@pytest.mark.parametrize("seed", range(15))
def test_smooth_star_matches_qp(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 8))
    a, c = rng.normal(size=m), rng.uniform(0.1, 2.0, m)
    lam = [0.0, 0.05, 0.5, 5.0, 500.0][seed % 5]
    out = np.empty(m)
    mu = smooth_star(a, c, lam, out)
    assert mu == pytest.approx(out.mean(), abs=1e-12)
    value = 0.5 * np.sum(c * (a - out) ** 2) + 0.5 * lam * np.sum((out - out.mean()) ** 2)
    ref, ref_value = _smooth_qp(a, c, lam, star=True)
    assert value <= ref_value + 1e-9
    np.testing.assert_allclose(out, ref, atol=1e-6)
    assert np.sum(c * out) == pytest.approx(np.sum(c * a), abs=1e-10)
