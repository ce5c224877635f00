"""Design-rule checks with the reference DRC's (KLayout's) default semantics.

run_drc checks raw shapes (um) against a technology's rules; the lower-level *_pairs functions
work on raw integer database-unit polygons and return edge pairs.
"""

from .checks import enclosing_pairs, separation_pairs, space_pairs, width_pairs
from .engine import run_drc
from .kinds import KIND_CHECKS
from .merge import MergedLayer, merge_layer
from .pairs import EdgePairs
from .polyset import PolygonSet
from .result import DrcResult, Violation, ViolationBlock, Violations

__all__ = [
    "KIND_CHECKS",
    "DrcResult",
    "EdgePairs",
    "MergedLayer",
    "PolygonSet",
    "Violation",
    "ViolationBlock",
    "Violations",
    "enclosing_pairs",
    "merge_layer",
    "run_drc",
    "separation_pairs",
    "space_pairs",
    "width_pairs",
]
