"""KiCad footprints (.kicad_mod, the S-expression format of KiCad 6 and later).

Coordinates are millimetres in KiCad's frame: top view (looking down on the board), +x right,
+y down. A footprint here is SMD pads of one shape plus the fab outline, the courtyard and a
pin-1 marker on the fab layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FootprintPad", "footprint_text"]

KICAD_VERSION = 20221018


@dataclass(frozen=True)
class FootprintPad:
    """One SMD pad.

    Args:
        name: the pad name (number).
        x_mm, y_mm: the centre, KiCad frame.
        diameter_mm: a round pad's diameter.
    """

    name: str
    x_mm: float
    y_mm: float
    diameter_mm: float


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _n(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _rect(x0: float, y0: float, x1: float, y1: float, layer: str, width: float) -> str:
    return (f"  (fp_rect (start {_n(x0)} {_n(y0)}) (end {_n(x1)} {_n(y1)}) "
            f"(stroke (width {_n(width)}) (type solid)) (fill none) (layer {_q(layer)}))")


def footprint_text(name: str, pads: Sequence[FootprintPad], *, body_mm: tuple[float, float],
                   courtyard_mm: tuple[float, float], pin1_mm: tuple[float, float],
                   description: str) -> str:
    """The footprint as .kicad_mod text.

    Args:
        name: the footprint name.
        pads: the pads.
        body_mm: the package body (width, height), centred on the origin (fab outline).
        courtyard_mm: the courtyard (width, height), centred on the origin.
        pin1_mm: where the pin-1 marker goes (a corner of the body).
        description: the footprint's description.
    """
    bw, bh = body_mm[0] / 2, body_mm[1] / 2
    cw, ch = courtyard_mm[0] / 2, courtyard_mm[1] / 2
    font = "(effects (font (size 1 1) (thickness 0.15)))"
    r = min(body_mm) / 20
    out = [f"(footprint {_q(name)} (version {KICAD_VERSION}) (generator \"wlpmask\")",
           '  (layer "F.Cu")', f"  (descr {_q(description)})", '  (tags "WLCSP")',
           "  (attr smd)",
           f'  (fp_text reference "REF**" (at 0 {_n(-ch - 1)}) (layer "F.SilkS") {font})',
           f'  (fp_text value {_q(name)} (at 0 {_n(ch + 1)}) (layer "F.Fab") {font})',
           _rect(-bw, -bh, bw, bh, "F.Fab", 0.1),
           _rect(-cw, -ch, cw, ch, "F.CrtYd", 0.05),
           f"  (fp_circle (center {_n(pin1_mm[0])} {_n(pin1_mm[1])}) "
           f"(end {_n(pin1_mm[0] + r)} {_n(pin1_mm[1])}) (stroke (width 0.1) (type solid)) "
           '(fill solid) (layer "F.Fab"))']
    for p in pads:
        d = _n(p.diameter_mm)
        out.append(f"  (pad {_q(p.name)} smd circle (at {_n(p.x_mm)} {_n(p.y_mm)}) "
                   f'(size {d} {d}) (layers "F.Cu" "F.Paste" "F.Mask"))')
    out.append(")")
    return "\n".join(out) + "\n"
