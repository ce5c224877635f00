"""Any family's die on a wafer: stepping, wafer map, alignment marks, plates, job deck, report.

It takes a family's `Product` (its top cell, the die frame, the mask sequence with what each
mask aligns to, the roles, the hand-off files) and never a family itself. Modules: grid (the
usable area, full dies, the offset search), marks (box-in-box and verniers per mask pair, CD
bars), layout (the plan and the wafer cell), bias (a layer merged, biased, inverted), plates
(one per mask), maps (G85, CSV, PNG), deck (masks.json and the MALY file), report
(report.html), outputs (the wafer step of a build).
"""

from .outputs import WaferResult, build_wafer

__all__ = ["WaferResult", "build_wafer"]
