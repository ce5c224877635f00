"""WLCSP dimensions: the layer roles, the rules the family reads and the bump sizes they give.

Every dimension comes from the technology's rules or the design file: the PI2 opening, the
capture pad around it, the UBM and stencil aperture, and the smallest legal bump pitch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ... import geometry as geo
from ...designfile import Roles
from ...errors import WlpmaskError
from ...tech import Layer, Technology


@dataclass(frozen=True)
class WlcspLayers(Roles):
    """The family's layer roles (a design may map each to a technology layer name)."""

    DIE: Layer
    SEAL: Layer
    DICING: Layer
    PAD: Layer
    PI1: Layer
    RDL: Layer
    PI2: Layer
    FILL: Layer
    BALL: Layer
    UBM: Layer | None = None
    STENCIL: Layer | None = None


ROLES = WlcspLayers.names()
OPTIONAL_ROLES = ("UBM", "STENCIL")
# Drawing order of the previews, bottom first: the PI2 opening goes above the fill and the
# stencil aperture of the same size, so its colour shows.
PREVIEW_ORDER = ("DIE", "DICING", "SEAL", "PAD", "PI1", "RDL", "UBM", "STENCIL", "FILL", "PI2",
                 "BALL")


@dataclass(frozen=True)
class FamilyRules:
    """The rule values (um) the family derives its dimensions from; names say the relation."""

    grid_um: float
    pad_encloses_pi1_um: float
    rdl_encloses_pi1_um: float
    rdl_width_um: float
    rdl_space_um: float
    pi2_width_um: float
    rdl_encloses_pi2_um: float
    rdl_to_seal_um: float
    ubm_width_um: float | None
    ubm_encloses_pi2_um: float | None


def find_rule(tech: Technology, kind: str, layers: Sequence[str]) -> float | None:
    """The largest limit of the technology's rules of a kind on these layers (None: no rule).

    Separation rules match in either layer order.

    Args:
        tech: the technology.
        kind: the rule kind (e.g. "width").
        layers: the layer names in the rule's role order.
    """
    want = tuple(layers)
    vals = [r.limit for r in tech.rules.values() if r.kind == kind and (
        r.layers == want or (kind == "separation" and r.layers == want[::-1]))]
    return max(vals) if vals else None


def _require(tech: Technology, kind: str, layers: Sequence[str]) -> float:
    v = find_rule(tech, kind, layers)
    if v is None:
        raise WlpmaskError(f"the wlcsp family needs a {kind} rule on {' / '.join(layers)}",
                           file=tech.source, key="rules")
    return v


def family_rules(tech: Technology, layers: WlcspLayers) -> FamilyRules:
    """Read the rules the family needs from the technology.

    Args:
        tech: the technology.
        layers: the resolved layer roles (UBM rules are read when UBM is drawn).
    """
    L = layers  # noqa: N806 - short alias for the role map
    ubm = L.UBM.name if L.UBM is not None else None
    return FamilyRules(
        grid_um=tech.grid_um,
        pad_encloses_pi1_um=_require(tech, "enclosure", (L.PAD.name, L.PI1.name)),
        rdl_encloses_pi1_um=_require(tech, "enclosure", (L.RDL.name, L.PI1.name)),
        rdl_width_um=_require(tech, "width", (L.RDL.name,)),
        rdl_space_um=_require(tech, "space", (L.RDL.name,)),
        pi2_width_um=_require(tech, "width", (L.PI2.name,)),
        rdl_encloses_pi2_um=_require(tech, "enclosure", (L.RDL.name, L.PI2.name)),
        rdl_to_seal_um=find_rule(tech, "separation", (L.RDL.name, L.SEAL.name)) or 0.0,
        ubm_width_um=_require(tech, "width", (ubm,)) if ubm else None,
        ubm_encloses_pi2_um=_require(tech, "enclosure", (ubm, L.PI2.name)) if ubm else None,
    )


@dataclass(frozen=True)
class BumpDims:
    """Derived diameters (um, across flats) of one bump site and the smallest legal pitch."""

    shape: str
    opening_um: float
    capture_um: float
    ubm_um: float | None
    stencil_um: float | None
    ball_um: float
    min_pitch_um: float
    min_pitch_why: str


def bump_dims(rules: FamilyRules, *, opening_um: float | None, shape: str, ball_um: float,
              ubm: bool, stencil: bool, stencil_aperture_um: float | None,
              rdl_space_um: float) -> BumpDims:
    """Diameters of the PI2 opening, capture pad, UBM and stencil aperture, and the min pitch.

    Args:
        rules: the family rules.
        opening_um: PI2 opening diameter; None: the PI2 min width rule.
        shape: "octagon" or "circle".
        ball_um: ball diameter.
        ubm: draw a UBM.
        stencil: draw stencil apertures.
        stencil_aperture_um: aperture diameter; None: the PI2 opening.
        rdl_space_um: RDL spacing used between capture pads.
    """
    g = rules.grid_um
    slack = geo.ROUND_SLACK_GRIDS * g
    opening = geo.ceil_value(opening_um if opening_um is not None else rules.pi2_width_um, g)
    capture = geo.ceil_value(opening + 2 * (rules.rdl_encloses_pi2_um + slack), g)
    ubm_d = None
    if ubm:
        ubm_d = geo.ceil_value(max(rules.ubm_width_um,
                                   opening + 2 * (rules.ubm_encloses_pi2_um + slack)), g)
    st = None
    if stencil:
        st = geo.ceil_value(stencil_aperture_um if stencil_aperture_um else opening, g)
    # Round shapes may be up to `slack` larger per side than nominal.
    limits = [(capture + 2 * slack + rdl_space_um,
               f"capture pad {capture:g} um + RDL space {rdl_space_um:g} um"),
              (ball_um + g, f"ball {ball_um:g} um (balls must not touch)")]
    if st is not None:
        limits.append((st + 2 * slack + g, f"stencil aperture {st:g} um (apertures must not "
                       "touch)"))
    # The first of equal limits names the reason, as before stencils took part.
    pitch, why = max(limits, key=lambda lw: lw[0])
    return BumpDims(shape, opening, capture, ubm_d, st, ball_um, geo.ceil_value(pitch, g), why)
