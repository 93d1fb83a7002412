"""Prevalence from a probability sample: Horvitz-Thompson weights in a ratio (Hajek) estimator, with 95% CIs.

Certain picks (probability 1) are a census of themselves, adding no variance; random ones estimate the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A counterfeit share with its 95% interval; `share` is None when no check falls in the domain."""

    share: float | None
    low: float | None
    high: float | None
    checks: int
    random_checks: int
    population: float

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "share": self.share,
            "low": self.low,
            "high": self.high,
            "checks": self.checks,
            "random_checks": self.random_checks,
            "population": self.population,
        }


def wilson(share: float, n_effective: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's interval for a share seen on `n_effective` independent units (never outside [0, 1])."""
    if n_effective <= 0:
        return 0.0, 1.0
    z2n = z * z / n_effective
    centre = (share + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(max(share * (1 - share), 0.0) / n_effective + z2n / (4 * n_effective))
    low = 0.0 if share <= 0 else max(0.0, centre - half)
    high = 1.0 if share >= 1 else min(1.0, centre + half)
    return low, high


def ratio_estimate(
    counterfeit: npt.NDArray[np.bool_],
    inclusion: npt.NDArray[np.float64],
    *,
    measure: npt.NDArray[np.float64] | None = None,
    domain: npt.NDArray[np.bool_] | None = None,
    known_total: float | None = None,
) -> Estimate:
    """The counterfeit share of a measure (1 per listing, or GMV) over a domain, from conclusive checks.

    With `known_total` (the frame's size or GMV, known when the plan's frame is) it is Horvitz-Thompson:
    sum(w * measure * counterfeit) / known_total, w = 1 / inclusion; otherwise the ratio (Hajek) estimator
    divides by sum(w * measure). Variance: linearised, over the random checks only (inclusion < 1), with the
    with-replacement formula (conservative for a systematic draw). The interval is Wilson's on the effective
    sample size share * (1 - share) / variance, with a t quantile on the variance's Satterthwaite degrees of
    freedom: a few heavy-weight fakes carry most of the variance, and the normal quantile under-covers then.
    """
    counterfeit = np.asarray(counterfeit, dtype=bool)
    inclusion = np.asarray(inclusion, dtype=np.float64)
    if np.any(~(inclusion > 0)) or np.any(inclusion > 1):
        raise ValueError("inclusion probabilities must lie in (0, 1]")
    x = np.ones(counterfeit.size) if measure is None else np.asarray(measure, dtype=np.float64)
    inside = np.ones(counterfeit.size, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    wx = np.where(inside, x / inclusion, 0.0)
    denominator = float(known_total) if known_total is not None else float(wx.sum())
    checks = int(inside.sum())
    random = inclusion < 1.0
    random_in = int((random & inside).sum())
    if checks == 0 or denominator <= 0:
        return Estimate(None, None, None, checks, random_in, denominator)
    share = min(1.0, float((wx * counterfeit).sum()) / denominator)
    if known_total is not None:
        u = wx * counterfeit / denominator
    else:
        u = wx * (counterfeit.astype(np.float64) - share) / denominator
    if random_in == 0:
        return Estimate(share, share, share, checks, 0, denominator)
    n = int(random.sum())
    deviations = u[random] - u[random].mean()
    squares = float((deviations**2).sum())
    if n >= 2 and squares > 0:
        variance = n / (n - 1) * squares
        freedom = min(float(n - 1), max(1.0, squares**2 / float((deviations**4).sum())))
    else:
        variance, freedom = 0.0, float(max(1, n - 1))
    n_effective = share * (1 - share) / variance if variance > 0 else float(random_in)
    low, high = wilson(share, n_effective, z=float(stats.t.ppf(0.975, freedom)))
    return Estimate(share, low, high, checks, random_in, denominator)


def estimate_by(
    groups: npt.NDArray[np.object_],
    counterfeit: npt.NDArray[np.bool_],
    inclusion: npt.NDArray[np.float64],
    *,
    measure: npt.NDArray[np.float64] | None = None,
) -> dict[str, Estimate]:
    """One estimate per group (category, brand); the variance uses every random check, as domains require."""
    labels = np.asarray(groups, dtype=object)
    keys = sorted({"(none)" if g is None else str(g) for g in labels})
    named = np.array(["(none)" if g is None else str(g) for g in labels], dtype=object)
    return {key: ratio_estimate(counterfeit, inclusion, measure=measure, domain=named == key) for key in keys}
