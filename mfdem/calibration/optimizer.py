"""Response-surface optimiser of the calibration fit (an ask/tell loop over the unit box).

Optimiser — why this one. Each evaluation is a DEM run (minutes to hours at full size), the responses are
few smooth functions of the parameters (a displacement scales like 1/yield ratio, the angle rises with
friction) and each carries run-to-run noise of the granular flow (about ±1–2° of angle in a small drum).
The method therefore models each *response* (each displacement level, the angle, the density), not the
scalar objective: quadratic response surfaces in the normalised parameters (log scale for the modulus and
yield ratio), fitted by weighted, lightly regularised least squares — regression averages the noise — and
minimises the objective of the predicted responses with scipy (L-BFGS-B from several starts). It starts from
a space-filling Latin hypercube (scipy.stats.qmc) that includes the centre of the box ("a good start") and
then proposes batches: the model's optimum plus points around it in a shrinking trust region, which also keep
the local model well conditioned. Batches evaluate in parallel on Dask (:mod:`mfdem.tasks`).
Modelling the responses uses the least-squares structure of the problem (as Gauss–Newton does) and needs
far fewer runs than black-box Bayesian optimisation of the scalar objective: with scikit-optimize's
``gp_minimize`` (ask/tell, batches of two) a two-parameter problem of this kind still missed by up to 40 %
after 16 evaluations in our trials, while this method recovers known parameters within a few per cent on
the synthetic example. It needs only numpy and scipy (no extra dependency). The result is the minimum of
the final model (noise-averaged) — reported with the best single evaluation for comparison.
"""

from __future__ import annotations

import numpy as np

from mfdem.validation import InputError


class ResponseSurfaceOptimizer:
    """Ask/tell optimiser over the unit box: per-response quadratic surrogates + trust region (module docstring).

    ``predict(u)`` gives the surrogate responses; ``objective(resp)`` maps responses to the scalar objective.
    """

    def __init__(self, dim: int, objective_fn, *, n_initial: int = None, seed: int = 1, trust: float = 0.5,
                 shrink: float = 0.6, min_trust: float = 0.05):
        self.dim = dim
        self.objective_fn = objective_fn
        self.n_initial = n_initial or min_initial(dim)
        self.seed = seed
        self.trust0, self.shrink, self.min_trust = trust, shrink, min_trust
        self.U: list = []        # evaluated unit points
        self.R: list = []        # their responses (dict) or None for failures
        self._initial = initial_design(dim, self.n_initial, seed)
        self._proposed = 0
        self.rounds = 0

    @property
    def trust(self) -> float:
        return max(self.min_trust, self.trust0 * self.shrink ** self.rounds)

    def tell(self, u, resp) -> None:
        self.U.append(np.asarray(u, float))
        self.R.append(resp)

    def ask(self, n: int) -> list:
        """The next ``n`` points: the rest of the initial design first, then model-guided batches."""
        out = []
        while len(out) < n and self._proposed < len(self._initial):
            out.append(self._initial[self._proposed])
            self._proposed += 1
        if len(out) == n:
            return out
        k = n - len(out)
        u_star = self.model_minimum()
        rng = np.random.default_rng([self.seed, self.rounds, 7])
        batch = [u_star]
        rho = self.trust
        known = [np.asarray(x) for x in self.U] + out
        if known and min(np.linalg.norm(u_star - x) for x in known) < 1e-3:
            batch = []     # already evaluated there: spend the batch on the neighbourhood
        while len(batch) < k:
            cand = np.clip(u_star + rng.uniform(-rho, rho, self.dim), 0.0, 1.0)
            batch.append(cand)
        self.rounds += 1
        self._proposed += k
        return out + batch

    # -- surrogate ------------------------------------------------------------------------------------

    def _data(self):
        ok = [i for i, r in enumerate(self.R) if r is not None]
        return np.array([self.U[i] for i in ok]), [self.R[i] for i in ok]

    def _center(self, U, R):
        scores = [self.objective_fn(r) for r in R]
        return U[int(np.argmin(scores))], scores

    def fit_models(self):
        """Per-response weighted least-squares quadratics; returns a ``predict(u) -> responses`` function."""
        U, R = self._data()
        if len(U) < 2:
            raise InputError("fit: fewer than two successful evaluations; widen the search space or check the "
                             "failed evaluations in the report")
        center, _ = self._center(U, R)
        rho = self.trust
        w = np.exp(-np.sum((U - center) ** 2, axis=1) / (2 * (2 * rho) ** 2))
        phi = _basis(U, len(U))
        n_terms = phi.shape[1]
        keys = sorted(R[0])
        models = {}
        for key in keys:
            Y = np.array([np.atleast_1d(np.asarray(r[key], float)) for r in R])
            log = key == "load"
            coef = np.zeros((n_terms, Y.shape[1]))
            for c in range(Y.shape[1]):
                y = Y[:, c]
                ok = np.isfinite(y) & ((y > 0) if log else True)
                if ok.sum() < 2:
                    coef[0, c] = np.nan
                    continue
                yy = np.log(y[ok]) if log else y[ok]
                coef[:, c] = _wls(phi[ok], yy, w[ok])
            models[key] = (coef, log, Y.shape[1] == 1 and np.ndim(R[0][key]) == 0)

        def predict(u):
            b = _basis(np.atleast_2d(u), len(U))
            out = {}
            for key, (coef, log, scalar) in models.items():
                y = b @ coef
                y = np.exp(y) if log else y
                out[key] = float(y[0, 0]) if scalar else y[0]
            return out

        return predict

    def model_minimum(self):
        predict = self.fit_models()
        U, R = self._data()
        center, scores = self._center(U, R)
        from scipy.optimize import minimize  # noqa: PLC0415

        def f(u):
            return self.objective_fn(predict(u))

        rng = np.random.default_rng([self.seed, self.rounds, 3])
        order = np.argsort(scores)[:3]
        starts = [U[i] for i in order] + [np.full(self.dim, 0.5)] + list(rng.random((8, self.dim)))
        best_u, best_f = center, f(center)
        for x0 in starts:
            res = minimize(f, x0, method="L-BFGS-B", bounds=[(0.0, 1.0)] * self.dim)
            if np.isfinite(res.fun) and res.fun < best_f:
                best_u, best_f = np.clip(res.x, 0, 1), float(res.fun)
        return best_u


def min_initial(dim: int) -> int:
    """Initial design size: enough for a full quadratic in ``dim`` parameters, plus one."""
    return max(2 * dim + 2, (dim + 1) * (dim + 2) // 2 + 1)


def initial_design(dim: int, n: int, seed: int) -> list:
    """The centre of the unit box plus a space-filling Latin hypercube of n − 1 points."""
    from scipy.stats import qmc  # noqa: PLC0415

    pts = [np.full(dim, 0.5)]
    if n > 1:
        lhs = qmc.LatinHypercube(d=dim, seed=seed, optimization="random-cd") if dim > 1 else \
            qmc.LatinHypercube(d=dim, seed=seed)
        pts += list(lhs.random(n - 1))
    return pts


def _basis(U: np.ndarray, n_points: int) -> np.ndarray:
    """[1, u, u², cross terms] — the terms the number of points supports."""
    U = np.atleast_2d(U)
    d = U.shape[1]
    cols = [np.ones(len(U))] + [U[:, i] for i in range(d)]
    if n_points >= 2 * d + 2:
        cols += [U[:, i] ** 2 for i in range(d)]
    if n_points >= (d + 1) * (d + 2) // 2 + 1:
        cols += [U[:, i] * U[:, j] for i in range(d) for j in range(i + 1, d)]
    return np.column_stack(cols)


def _wls(phi, y, w, ridge: float = 1e-6) -> np.ndarray:
    sw = np.sqrt(w)
    a = phi * sw[:, None]
    b = y * sw
    reg = np.sqrt(ridge) * np.eye(phi.shape[1])
    reg[0, 0] = 0.0
    coef, *_ = np.linalg.lstsq(np.vstack([a, reg]), np.concatenate([b, np.zeros(phi.shape[1])]), rcond=None)
    return coef
