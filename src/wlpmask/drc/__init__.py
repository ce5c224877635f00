"""Design-rule checks with the reference DRC's (KLayout's) default semantics.

run_drc checks raw shapes (um) against a technology's rules; the lower-level *_pairs functions
work on raw integer database-unit polygons and return edge pairs.
"""

from .checks import enclosing_pairs, separation_pairs, space_pairs, width_pairs
from .engine import run_drc
from .kinds import KIND_CHECKS
from .merge import MergedLayer, merge_layer
from .pairs import EdgePairs
from .result import DrcResult, Violation

__all__ = [
    "KIND_CHECKS",
    "DrcResult",
    "EdgePairs",
    "MergedLayer",
    "Violation",
    "enclosing_pairs",
    "merge_layer",
    "run_drc",
    "separation_pairs",
    "space_pairs",
    "width_pairs",
]
