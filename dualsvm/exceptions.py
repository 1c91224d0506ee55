"""Exceptions and warnings raised by dualsvm."""

from __future__ import annotations


class DualSVMError(ValueError):
    """Bad input to a dualsvm function; a :class:`ValueError`.

    Messages name the offending argument and say what was received.
    """


class ConvergenceWarning(UserWarning):
    """A solver stopped before its certificate reached the requested accuracy."""
