"""dualsvm: the soft-margin SVM solved three ways, every answer certified.

``dualsvm.DualSVC`` and ``dualsvm.certify_estimator`` (from :mod:`dualsvm.sklearn`)
are loaded on first use, so ``import dualsvm`` does not import scikit-learn.
"""

from . import datasets
from .comparison import CertificateViolation, Comparison, compare
from .dual import solve_dual
from .dual_point import certify
from .exceptions import ConvergenceWarning, DualSVMError
from .feasibility import argmin_b, project_dual
from .ipm import solve_ipm
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
    "solve_ipm",
    "compare",
    "Comparison",
    "CertificateViolation",
    "ConvergenceWarning",
    "DualSVMError",
]
__version__ = "0.1.0"

#: Names served lazily from dualsvm.sklearn (they need the optional scikit-learn).
_SKLEARN_NAMES = ("DualSVC", "certify_estimator", "EstimatorReport")


def __getattr__(name: str) -> object:
    if name in _SKLEARN_NAMES:
        try:
            from . import sklearn as _sk
        except ModuleNotFoundError as exc:
            if exc.name != "sklearn" and not (exc.name or "").startswith("sklearn."):
                raise
            raise ImportError(f"dualsvm.{name} needs scikit-learn: pip install 'dualsvm[sklearn]'") from exc
        return getattr(_sk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SKLEARN_NAMES])
