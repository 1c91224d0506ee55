"""dualsvm: the soft-margin SVM solved three ways, every answer certified."""

from . import datasets
from .comparison import CertificateViolation, Comparison, compare
from .dual import solve_dual
from .dual_point import certify
from .exceptions import ConvergenceWarning, DualSVMError
from .feasibility import argmin_b, project_dual
from .primal import solve_primal
from .problem import SVMProblem
from .solution import Solution
from .subgradient import solve_subgradient

__all__ = [
    "datasets",
    "SVMProblem",
    "Solution",
    "certify",
    "project_dual",
    "argmin_b",
    "solve_primal",
    "solve_dual",
    "solve_subgradient",
    "compare",
    "Comparison",
    "CertificateViolation",
    "ConvergenceWarning",
    "DualSVMError",
]
__version__ = "0.1.0"
