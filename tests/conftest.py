import os
import sys
from pathlib import Path

import pytest

# scikit-learn's estimator suite checks array-API dispatch with NumPy inputs only
# when this is set before SciPy is imported; set it so that no check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def overconfident_certify(monkeypatch):
    """Make compare's certificates claim radius 0: a stand-in for a certificate bug."""
    import dualsvm.comparison as cmp

    real = cmp.certificate

    def overconfident(*args, **kw):
        s = real(*args, **kw)
        s.radius = 0.0
        return s

    monkeypatch.setattr(cmp, "certificate", overconfident)
