"""The input side: what a clerk authors, and how it is read with positions."""

from .budget import Budget, Fragment  # noqa: F401
from .loader import load_budget  # noqa: F401
