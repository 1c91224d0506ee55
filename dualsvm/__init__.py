"""dualsvm: the soft-margin SVM solved three ways, every answer certified."""

from .certificates import argmin_b, certify, project_dual
from .dual import solve_dual
from .exceptions import ConvergenceWarning, DualSVMError
from .primal import solve_primal
from .problem import SVMProblem
from .solution import Solution

__all__ = [
    "SVMProblem", "Solution", "certify", "project_dual", "argmin_b",
    "solve_primal", "solve_dual", "ConvergenceWarning", "DualSVMError",
]
__version__ = "0.1.0"
