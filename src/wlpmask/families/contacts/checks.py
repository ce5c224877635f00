"""Process checks of micro contact elements (DOMAIN.md 1B, 5, 10), reported beside the DRC.

The length rule on every element (length >= margin x max(bulge, gap to the carrier, thermal
shear at its DNP); a failure names the contacts and the least resist thickness or length that
would pass), the clearance of leaning columns through the whole resist (two columns of
different lean come closest inside it, where no mask check sees them), and a leaf spring's
rise (below 90 degrees) and tip lift (at least margin x the gap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from ...checks import ProcessCheck, check
from ...physics import exposure as ex
from ...physics import spring as sp
from ...tech import Technology
from .design import ContactsDesign
from .lean import Placement
from .rules import rule_limit

__all__ = ["Curl", "column_clearance", "curl", "run_checks"]

# Failing contacts named in a check's detail line; the rest are counted.
NAMED = 5


@dataclass(frozen=True)
class Curl:
    """A leaf spring's curl: radius, tip lift and rise angle for its free length."""

    radius_um: float
    lift_um: float
    rise_deg: float


def curl(part: ContactsDesign, free_um: float) -> Curl | None:
    """The leaf springs' curl (None: the technology gives no film constants).

    Args:
        part: the design.
        free_um: the free length.
    """
    f = part.process.spring
    if f is None or f.modulus_gpa is None:
        return None
    r = sp.curl_radius_um(modulus_gpa=f.modulus_gpa, thickness_um=f.thickness_um,
                          poisson_ratio=f.poisson_ratio,
                          stress_difference_mpa=f.stress_difference_mpa)
    return Curl(r, sp.tip_lift_um(radius_um=r, length_um=free_um),
                sp.rise_angle_deg(radius_um=r, length_um=free_um))


def _box(pl: Placement) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in pl.pad.bounds)


def _names(bad: Sequence[Placement]) -> str:
    names = ", ".join(p.pad.name for p in bad[:NAMED])
    return names + (f" and {len(bad) - NAMED} more" if len(bad) > NAMED else "")


def length_check(part: ContactsDesign, placements: Sequence[Placement],
                 lengths: Sequence[float]) -> ProcessCheck:
    """Every element at least as long as the length rule asks at its DNP.

    Args:
        part: the design.
        placements: the elements.
        lengths: each element's length (um).
    """
    need = np.array([p.required_um for p in placements])
    have = np.asarray(lengths, dtype=float)
    worst = int(np.argmin(have - need)) if len(need) else 0
    bad = [p for p, h, n in zip(placements, have, need) if h < n - 1e-9]
    detail = ""
    if bad:
        detail = f"too short: {_names(bad)}"
        pins = [p for p in bad if p.element == "pin"]
        if pins:
            e = part.exposure
            t = max(ex.thickness_for_length_um(length_um=p.required_um,
                                               angle_in_resist_deg=e.angle_deg) for p in pins)
            detail += (f"; least resist thickness that passes: {t:.1f} um (columns at "
                       f"{e.angle_deg:.2f} deg)")
        others = [p for p in bad if p.element != "pin"]
        if others:
            detail += f"; least length that passes: {max(p.required_um for p in others):.1f} um"
    p = part.process
    return check("PROC.ELEMENT_LENGTH",
                 f"element length over margin x max(bulge {p.bulge_um:g}, gap "
                 f"{p.carrier_gap_um:g}, DNP x {abs(p.cte_substrate - p.cte_carrier):g} ppm/K x "
                 f"{p.delta_t_k:g} K)", ">=", float(need[worst]) if len(need) else 0.0,
                 float(have[worst]) if len(have) else None, "um",
                 "process.length_margin_ratio", (part.layers.CONTACT.name,),
                 [_box(b) for b in bad], detail)


def column_clearance(pins: Sequence[Placement], *, diameter_um: float,
                     space_um: float) -> np.ndarray:
    """Per pin, the least clearance (um) to another column anywhere through the resist.

    The sections are taken as discs of the pin diameter; the clearance is measured to every
    column whose foot lies closer than the space plus what the leans can take away, and to
    the nearest (inf: a single pin).

    Args:
        pins: the pins.
        diameter_um: the pin diameter.
        space_um: the clearance wanted (pairs that surely keep it are skipped).
    """
    n = len(pins)
    out = np.full(n, np.inf)
    if n < 2:
        return out
    foot = np.array([(p.pad.x_um, p.pad.y_um) for p in pins])
    top = np.array([p.top_um for p in pins])
    d = diameter_um
    reach = 2 * max(p.offset_um for p in pins) + d + space_um
    pts = shapely.points(foot)
    tree = shapely.STRtree(pts)
    i, j = tree.query(pts, predicate="dwithin", distance=reach)
    # and each pin's nearest neighbour, so that every pin has a measure
    ni, nj = tree.query_nearest(pts, exclusive=True, all_matches=False)
    i, j = np.concatenate([i, ni]), np.concatenate([j, nj])
    keep = i != j
    i, j = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    a = top[i] - top[j]               # separation at the resist's surface
    b = (foot[i] - foot[j]) - a       # its change down to the feet
    bb = np.einsum("ij,ij->i", b, b)
    s = np.clip(-np.einsum("ij,ij->i", a, b) / np.where(bb > 0, bb, 1.0), 0.0, 1.0)
    gap = np.hypot(*(a + s[:, None] * b).T) - d
    np.minimum.at(out, i, gap)
    np.minimum.at(out, j, gap)
    return out


def run_checks(part: ContactsDesign, placements: Sequence[Placement], *,
               lengths: Sequence[float], free_um: float | None,
               tech: Technology) -> list[ProcessCheck]:
    """Every process check of the build, in a fixed order.

    Args:
        part: the design.
        placements: the elements.
        lengths: each element's length (um).
        free_um: the leaf springs' free length (None: none).
        tech: the technology.
    """
    out = [length_check(part, placements, lengths)]
    pins = [p for p in placements if p.element == "pin"]
    L = part.layers  # noqa: N806 - the role map
    if pins:
        space = rule_limit(tech, "space", (L.MOULD,))
        clear = column_clearance(pins, diameter_um=part.pin_diameter_um, space_um=space)
        bad = [p for p, c in zip(pins, clear) if c < space - 1e-9]
        worst = float(np.min(clear))
        out.append(check(
            "PROC.COLUMN_SPACE", "leaning columns keep the resist wall apart through the "
            "whole resist", ">=", space, worst if np.isfinite(worst) else None, "um",
            f"the space rule on {L.MOULD.name}", (L.MOULD.name,), [_box(b) for b in bad],
            f"columns too close: {_names(bad)}" if bad else ""))
    c = curl(part, free_um) if free_um is not None else None
    if c is not None:
        p = part.process
        lift_need = p.margin * p.carrier_gap_um
        out.append(check("PROC.SPRING_RISE", f"leaf-spring rise angle L / R (R "
                         f"{c.radius_um:.1f} um, L {free_um:g} um)", "<=", 90.0, c.rise_deg,
                         "deg", "physics: a curl beyond a quarter turn", (L.SPRING.name,)))
        out.append(check("PROC.SPRING_LIFT", "leaf-spring tip lift R (1 - cos(L / R)) over "
                         "margin x gap to the carrier", ">=", lift_need, c.lift_um, "um",
                         "process.carrier_gap_um", (L.SPRING.name,)))
    return out
