"""kkt["dual_box"] of the alpha as supplied: behaviour new on this branch.

(The pins of the rounding allowances and project_dual's check of y are in tests/test_oracle.py,
the file mutation testing, benchmarks/mutation.py, runs.)
"""

from __future__ import annotations

import numpy as np
from problems import hand_two_margin

from dualsvm import SVMProblem
from dualsvm.certificates import certificate


def test_dual_box_is_measured_before_the_projection():
    """kkt["dual_box"] = max(0, -min alpha_i, max(alpha_i - C_i)) of alpha as supplied (it was always 0:
    the projected alpha is in the box by construction); the projected alpha is in the box."""
    p = hand_two_margin()
    assert certificate(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0]).kkt["dual_box"] == 0.0
    s = certificate(p, [1.0, 0.0], -1.0, [0.5, 1.75, -0.25, 0.0])
    assert s.kkt["dual_box"] == 0.75 and s.alpha.min() >= 0.0 and s.alpha.max() <= 1.0
    assert certificate(p, [1.0, 0.0], -1.0, [-0.5, 0.5, 0.0, 0.25]).kkt["dual_box"] == 0.5
    # Per-sample costs: alpha_i = 0.75 is inside [0, C] = [0, 1] but outside [0, C_i] = [0, 0.5].
    q = SVMProblem(p.X, p.y, C=1.0, sample_weight=[1.0, 0.5, 1.0, 1.0])
    alpha = np.array([0.5, 0.75, 0.0, 0.0])
    s = certificate(q, [1.0, 0.0], -1.0, alpha)
    assert s.kkt["dual_box"] == 0.25 and s.alpha[1] <= 0.5
    assert alpha.tolist() == [0.5, 0.75, 0.0, 0.0]  # the caller's array is not modified
