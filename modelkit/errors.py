"""The one error every task's data problems share, so the CLI and pages catch them alike.

`DataError` (a ValueError) says why a data set cannot be used; modelkit.text.data and
modelkit.vision.zip_safety subclass it with their specific reasons.
"""
from __future__ import annotations


class DataError(ValueError):
    """Any reason a data set cannot be used for training."""


class CompressionCancelled(Exception):
    """A compression job was asked to stop; nothing of the half-made variant is written."""


class CompressionRequestError(ValueError):
    """A compression request that cannot be done (a student as big as its teacher, 100% sparsity, ...)."""
