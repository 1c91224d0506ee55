"""Issue 12 probe: how large would a rigorous bound on the kernel factor's own rounding be?

The certificate of a kernel problem adds q = ½(Σᵢ αᵢ √Eᵢᵢ)² for the dual's residual term vᵀEv,
E = K − L̂L̂ᵀ, v = y∘α (proofs/T14). That bound needs E ⪰ 0, which holds for the exact factor but
only up to ε for the computed one. T14's open point: L̂ is the exact partial Cholesky factor of
K' = K + Δ_M, with Δ_M on the pivot rows and columns only (K'_{NP} := L̂_N Mᵀ, K'_{PP} := MMᵀ,
M = L̂[P]); then E = −Δ_M + blockdiag(0, S') with S' the Schur complement of K', S' ⪰ −εI for
ε = ‖Δ_M‖₂ ≤ ‖Δ_M‖_F, and a rigorous replacement for 2q is

    (Σ_{i∉P} |vᵢ| √(Eᵢᵢ + ε))² − ε‖v_N‖² + |v|ᵀ|Δ_M||v|.

This script measures that replacement at the optimum of bench_kernels.py's problem (seeded moons,
RBF, gamma "scale", C = 1, solve_ipm to 1e-8) with two bounds on |Δ_M|, both rigorous:

* a priori: the kernel values' rounding Δ (``kernel_block``) plus γ_{r+2}|L̂||M|ᵀ (Higham's
  backward error of the substitution that computes each row);
* a posteriori: |L̂Mᵀ − K̂| evaluated in numpy's longdouble (64-bit significand on x86; its own
  rounding γ^{ld}_{r+4}|L̂||M|ᵀ added), plus Δ. ``--no-longdouble`` skips it (slow: numpy's
  longdouble matmul is not BLAS).

Nothing here is used by the package; it prints the numbers quoted in T14 and the issue 12 note.

Usage: OPENBLAS_NUM_THREADS=1 python benchmarks/probe_factor_rounding.py --sizes 10000 30000
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

import dualsvm as ds
from dualsvm.kernels import _gamma_k, kernel_block


def term(v: np.ndarray, e: np.ndarray, is_pivot: np.ndarray, A: np.ndarray, B: np.ndarray) -> tuple[float, float]:
    """The rigorous replacement for 2q, given bounds A (pivot block) and B (non-pivot rows) on |Δ_M|; and ε."""
    eps = math.sqrt(float((A * A).sum())) + math.sqrt(float((B * B).sum()))
    vN, vP = v[~is_pivot], v[is_pivot]
    t1 = float(vN @ np.sqrt(e[~is_pivot] + eps)) ** 2 - eps * float(vN @ vN)
    t2 = 2.0 * float(vN @ (B @ vP)) + float(vP @ A @ vP)
    return t1 + t2, eps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 30000])
    ap.add_argument("--no-longdouble", action="store_true")
    args = ap.parse_args()
    print("make_moons(n, noise=0.3, random_state=0), standardized; rbf, gamma='scale', C=1; solve_ipm(target_gap=1e-8)")
    print("| n | rank r | P | Σα | solver's rel. gap | today's q/P | ε a priori | rigorous q/P a priori | "
          "ε a posteriori | rigorous q/P a posteriori | ‖Δ‖_F (values) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        X, y = make_moons(n_samples=n, noise=0.3, random_state=0)
        X = StandardScaler().fit_transform(X)
        p = ds.SVMProblem(X, y, C=1.0, kernel="rbf")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = ds.solve_ipm(p, target_gap=1e-8)
        f = p.kernel_factor
        L, P, M = np.asarray(p.X), f.pivots, f.L_P
        r = len(P)
        is_pivot = np.zeros(n, dtype=bool)
        is_pivot[P] = True
        Kc, dK = kernel_block("rbf", X, X[P], gamma=f.gamma)  # the pivot columns and their values' rounding
        absLM = np.abs(L) @ np.abs(M).T
        v, Pobj = np.abs(s.alpha), s.primal_objective
        today = 0.5 * float(v @ np.sqrt(f.residual_diag)) ** 2
        prior = dK + _gamma_k(r + 2) * absLM
        two_q, eps = term(v, f.residual_diag, is_pivot, np.maximum(prior[P], prior[P].T), prior[~is_pivot])
        row = [f"{n}", f"{r}", f"{Pobj:.6g}", f"{v.sum():.5g}", f"{s.relative_gap:.2g}", f"{today / Pobj:.2g}",
               f"{eps:.2g}", f"{0.5 * two_q / Pobj:.2g}"]
        if args.no_longdouble:
            row += ["—", "—"]
        else:
            t0 = time.process_time()
            ld = np.longdouble
            u_ld = float(np.finfo(ld).eps) / 2
            rho = np.abs(L.astype(ld) @ M.T.astype(ld) - Kc.astype(ld)).astype(np.float64)
            g_ld = (r + 4) * u_ld / (1 - (r + 4) * u_ld)
            post = rho + g_ld * absLM + dK
            two_q_post, eps_post = term(v, f.residual_diag, is_pivot, np.maximum(post[P], post[P].T), post[~is_pivot])
            row += [f"{eps_post:.2g}", f"{0.5 * two_q_post / Pobj:.2g} ({time.process_time() - t0:.0f} s)"]
        row.append(f"{np.linalg.norm(dK):.2g}")
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
