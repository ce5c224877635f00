"""Filling openings and printing through stencils (IPC-7525, DOMAIN.md 3): pure ratios.

Lengths in um; every function returns a dimensionless ratio. The limits these ratios are
compared with live in the technology file, never here.
"""

from __future__ import annotations

from . import require_positive as _positive


def area_ratio_round(*, diameter_um: float, thickness_um: float) -> float:
    """Area ratio of a round aperture: opening area over wall area, D / (4 t).

    Args:
        diameter_um: aperture diameter.
        thickness_um: stencil (or layer) thickness.
    """
    _positive(diameter_um=diameter_um, thickness_um=thickness_um)
    return diameter_um / (4.0 * thickness_um)


def area_ratio_rect(*, length_um: float, width_um: float, thickness_um: float) -> float:
    """Area ratio of a rectangular aperture: L W / (2 (L + W) t).

    Args:
        length_um: aperture length.
        width_um: aperture width.
        thickness_um: stencil thickness.
    """
    _positive(length_um=length_um, width_um=width_um, thickness_um=thickness_um)
    return length_um * width_um / (2.0 * (length_um + width_um) * thickness_um)


def aspect_ratio(*, width_um: float, thickness_um: float) -> float:
    """Aspect ratio of an aperture: its smallest width over the stencil thickness, W / t.

    Args:
        width_um: smallest aperture width.
        thickness_um: stencil thickness.
    """
    _positive(width_um=width_um, thickness_um=thickness_um)
    return width_um / thickness_um


def particle_ratio(*, opening_um: float, largest_particle_um: float) -> float:
    """Smallest opening over the largest filler particle (five-particle rule: >= 5).

    Args:
        opening_um: the smallest opening width.
        largest_particle_um: the largest particle of the paste or adhesive.
    """
    _positive(opening_um=opening_um, largest_particle_um=largest_particle_um)
    return opening_um / largest_particle_um


def fill_depth_ratio(*, depth_um: float, diameter_um: float) -> float:
    """Depth of a filled cavity over its diameter (a deep, narrow cavity fills badly).

    Args:
        depth_um: cavity depth (the thickness of the layer it is opened in).
        diameter_um: cavity diameter.
    """
    _positive(depth_um=depth_um, diameter_um=diameter_um)
    return depth_um / diameter_um


def thickness_ratio(*, thick_um: float, thin_um: float) -> float:
    """Thickness of one film over another (family A: PI2 over PI1, >= 4).

    Args:
        thick_um: the film expected to be thicker.
        thin_um: the reference film.
    """
    _positive(thick_um=thick_um, thin_um=thin_um)
    return thick_um / thin_um


def max_stencil_thickness_um(*, diameter_um: float, min_area_ratio: float,
                             min_aspect_ratio: float) -> float:
    """The thickest stencil that still meets both release limits for a round aperture.

    Args:
        diameter_um: aperture diameter.
        min_area_ratio: required D / (4 t).
        min_aspect_ratio: required D / t.
    """
    _positive(diameter_um=diameter_um, min_area_ratio=min_area_ratio,
              min_aspect_ratio=min_aspect_ratio)
    return min(diameter_um / (4.0 * min_area_ratio), diameter_um / min_aspect_ratio)
