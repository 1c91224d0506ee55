"""pytest configuration shared by tests/ and proofs/checks/.

Hypothesis draws a fixed, derandomized set of examples by default, so that
two runs of the suite (and CI) test the same cases. ``DUALSVM_HYPOTHESIS=explore``
draws fresh random examples instead, as the deep runs (``-m slow``) always do.
"""

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("DUALSVM_HYPOTHESIS", "fixed"))
