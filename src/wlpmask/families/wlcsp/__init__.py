"""Wafer-level chip-scale package with elastic bumps (DOMAIN.md 1A).

Every dimension comes from the technology's rules or the design file: PI1 openings inside the
bond pads, RDL landings around them, round capture pads (base regions) with their PI2 openings,
fill cylinders, balls, optional UBM and stencil apertures, the die frame, the routed RDL with
teardrops where traces meet capture pads. A bump is one cell placed by (array) reference; pads
of one size share a cell.

Modules: rules (layer roles, rule values, bump dimensions), cells (cells and assembly),
terminals (the router's view), teardrops, rdl (route + teardrops + same-net notch fill).
"""

from .cells import (
    assemble,
    bump_runs,
    bump_shapes,
    frame_shapes,
    pad_shapes,
    placed_cells,
)
from .rdl import BUMP_PREFIX, PAD_PREFIX, RdlResult, route_design
from .rules import (
    OPTIONAL_ROLES,
    PREVIEW_ORDER,
    ROLES,
    BumpDims,
    FamilyRules,
    bump_dims,
    family_rules,
    find_rule,
)
from .teardrops import (
    TEARDROP_REACH,
    TEARDROP_WIDTH_RATIO,
    Teardrop,
    TeardropReport,
    junction_paths,
    teardrops,
)
from .terminals import TerminalSpec, routing_boundary, terminals

__all__ = [
    "BUMP_PREFIX", "OPTIONAL_ROLES", "PAD_PREFIX", "PREVIEW_ORDER", "ROLES", "TEARDROP_REACH",
    "TEARDROP_WIDTH_RATIO", "BumpDims", "FamilyRules", "RdlResult", "Teardrop",
    "TeardropReport", "TerminalSpec", "assemble", "bump_dims", "bump_runs", "bump_shapes",
    "family_rules", "find_rule", "frame_shapes", "junction_paths", "pad_shapes",
    "placed_cells", "route_design", "routing_boundary", "teardrops",
    "terminals",
]
