"""The family's layer roles and what it reads from the technology: stack, media, process.

Every number comes from the technology file: the mould resist (thickness, refractive index,
polarity), the exposure media, the CTEs of substrate and carrier, the length rule's terms, the
leaf-spring film and the spring sheet. A missing or wrong value fails naming the file and key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ...designfile import Roles
from ...errors import WlpmaskError
from ...tech import Layer, Technology

__all__ = ["ContactLayers", "Film", "PREVIEW_ORDER", "Process", "SheetSpec", "read_process",
           "rule_limit"]


@dataclass(frozen=True)
class ContactLayers(Roles):
    """The family's layer roles.

    A design maps each to a technology layer (default: the layer of the same name). Roles a
    build does not draw are None.
    """

    DIE: Layer
    SEAL: Layer
    DICING: Layer
    CONTACT: Layer
    PASSIVATION: Layer | None = None
    SEED: Layer | None = None
    MOULD: Layer | None = None
    FOOT: Layer | None = None
    HEAD: Layer | None = None
    POTTING: Layer | None = None
    UNCOVER: Layer | None = None
    SPRING: Layer | None = None
    ANCHOR: Layer | None = None
    RELEASE: Layer | None = None
    SHEET: Layer | None = None
    SHEET_SLOT: Layer | None = None
    SHEET_HALF: Layer | None = None
    SHEET_END: Layer | None = None
    SHEET_SOLDER: Layer | None = None
    SHEET_ANNEAL: Layer | None = None


# Drawing order of the previews, bottom first.
PREVIEW_ORDER = ("DIE", "DICING", "SEAL", "SHEET", "SEED", "POTTING", "CONTACT", "PASSIVATION",
                 "SHEET_SLOT", "SHEET_HALF", "SHEET_ANNEAL", "SHEET_SOLDER", "SHEET_END",
                 "RELEASE", "SPRING", "ANCHOR", "FOOT", "MOULD", "UNCOVER", "HEAD")

# What the drawn mould data is on the plate, by the resist's polarity: a negative resist
# (SU-8) cross-links where lit, so the openings are opaque dots; a positive one needs clear
# openings.
POLARITY_TONE = MappingProxyType({"negative": "dark", "positive": "clear"})
_MEDIUM = re.compile(r"^medium_([a-z][a-z0-9_]*)_index$")


@dataclass(frozen=True)
class Film:
    """The leaf-spring film.

    Args:
        thickness_um: film thickness h (the square tip's side).
        modulus_gpa: Young's modulus (None: not given, curl not computed).
        poisson_ratio: Poisson's ratio.
        stress_difference_mpa: stress difference through the film.
    """

    thickness_um: float
    modulus_gpa: float | None = None
    poisson_ratio: float | None = None
    stress_difference_mpa: float | None = None


@dataclass(frozen=True)
class SheetSpec:
    """The spring sheet: thickness T and its drawn proportions (ratios are multiples of T).

    Args:
        thickness_um: T.
        slot_ratio, neck_ratio, notch_width_ratio, notch_depth_ratio: drawn slot, neck and
            half-etched notch (depth: share of T etched from the top).
        frame_um: the sheet's border beyond the substrate.
    """

    thickness_um: float
    slot_ratio: float
    neck_ratio: float
    notch_width_ratio: float
    notch_depth_ratio: float
    frame_um: float


@dataclass(frozen=True)
class Process:
    """The technology's numbers the family uses.

    Args:
        resist_um: mould resist thickness; n_resist: its index; polarity: negative or positive.
        media: medium name -> refractive index.
        exposure_gap_um: proximity gap between mask and resist.
        pin_ratio_max: pin diameter over the contact's shortest side, at most.
        cte_substrate, cte_carrier: ppm/K; delta_t_k: the thermal cycle.
        bulge_um, carrier_gap_um, margin: the length rule's terms.
        spring: the leaf-spring film (None: the technology has none).
        taper_ratio: the share of a leaf spring's free length that tapers.
        release_margin_um: how far a release window reaches beyond its spring.
        sheet: the spring sheet (None: the technology has none).
    """

    resist_um: float
    n_resist: float
    polarity: str
    media: Mapping[str, float]
    exposure_gap_um: float
    pin_ratio_max: float
    cte_substrate: float
    cte_carrier: float
    delta_t_k: float
    bulge_um: float
    carrier_gap_um: float
    margin: float
    spring: Film | None
    taper_ratio: float
    release_margin_um: float
    sheet: SheetSpec | None

    @property
    def mould_tone(self) -> str:
        """What the mould openings are on the plate: from the resist polarity."""
        return POLARITY_TONE[self.polarity]


def _err(tech: Technology, key: str, message: str) -> WlpmaskError:
    return WlpmaskError(message, file=tech.source, key=key)


def _num(tech: Technology, key: str, *, low: float | None = None, high: float | None = None,
         default: float | None = None) -> float:
    v = tech.process.get(key, default)
    if v is None:
        raise _err(tech, f"process.{key}", "missing process parameter")
    if not isinstance(v, float) or (low is not None and v < low) or (high is not None and
                                                                   v > high):
        span = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        raise _err(tech, f"process.{key}", f"expected a number in {span}, got {v!r}")
    return v


def _stack(tech: Technology, name: str, const: str | None = None):
    film = tech.stack.get(name)
    if film is None:
        raise _err(tech, f"stack.{name}", "missing stack film")
    if const is None:
        return film.thickness_um
    if const not in film.constants:
        raise _err(tech, f"stack.{name}.{const}", "missing value")
    return film.constants[const]


def _cte(tech: Technology, name: str) -> float:
    v = _stack(tech, name, "cte_ppm_per_k")
    if not isinstance(v, float):
        raise _err(tech, f"stack.{name}.cte_ppm_per_k", f"expected a number, got {v!r}")
    return v


def read_media(tech: Technology) -> dict[str, float]:
    """The exposure media the technology lists (process.medium_NAME_index), by name.

    Args:
        tech: the technology.
    """
    out = {}
    for key in sorted(tech.process):
        m = _MEDIUM.match(key)
        if m:
            out[m.group(1)] = _num(tech, key, low=1.0, high=3.0)
    if not out:
        raise _err(tech, "process", "no exposure medium: add e.g. medium_air_index = 1.0")
    return out


def _spring(tech: Technology) -> Film | None:
    film = tech.stack.get("SPRING")
    if film is None:
        return None
    names = ("modulus_gpa", "poisson_ratio", "stress_difference_mpa")
    given = [film.constants.get(n) for n in names]
    if not any(v is not None for v in given):
        return Film(film.thickness_um)
    for n, v in zip(names, given):
        if not isinstance(v, float):
            raise _err(tech, f"stack.SPRING.{n}", "the curl needs modulus_gpa, poisson_ratio "
                       f"and stress_difference_mpa together; got {v!r}")
    if not (given[0] > 0 and 0 <= given[1] < 0.5 and given[2] > 0):
        raise _err(tech, "stack.SPRING", "expected modulus > 0, Poisson ratio 0..0.5 and a "
                   "stress difference > 0")
    return Film(film.thickness_um, *given)


def _sheet(tech: Technology) -> SheetSpec | None:
    if "SHEET" not in tech.stack:
        return None
    return SheetSpec(
        thickness_um=tech.stack["SHEET"].thickness_um,
        slot_ratio=_num(tech, "sheet_slot_width_ratio", low=1.0, high=20.0),
        neck_ratio=_num(tech, "sheet_neck_width_ratio", low=0.5, high=20.0),
        notch_width_ratio=_num(tech, "sheet_notch_width_ratio", low=0.1, high=20.0),
        notch_depth_ratio=_num(tech, "sheet_notch_depth_ratio", low=0.25, high=0.75),
        frame_um=_num(tech, "sheet_frame_um", low=0.0, high=1e5))


def read_process(tech: Technology) -> Process:
    """Everything the family needs from the technology, checked.

    Args:
        tech: the technology.

    Raises:
        WlpmaskError: a missing or invalid value, naming the technology file and key.
    """
    n = _stack(tech, "MOULD", "refractive_index")
    if not isinstance(n, float) or not 1.0 <= n <= 3.0:
        raise _err(tech, "stack.MOULD.refractive_index", f"expected 1..3, got {n!r}")
    polarity = _stack(tech, "MOULD", "polarity")
    if polarity not in POLARITY_TONE:
        raise _err(tech, "stack.MOULD.polarity",
                   f"expected one of {', '.join(POLARITY_TONE)}, got {polarity!r}")
    return Process(
        resist_um=_stack(tech, "MOULD"), n_resist=n, polarity=polarity,
        media=MappingProxyType(read_media(tech)),
        exposure_gap_um=_num(tech, "exposure_gap_um", low=0.0, high=1e4, default=0.0),
        pin_ratio_max=_num(tech, "pin_to_contact_max_ratio", low=0.01, high=1.0),
        cte_substrate=_cte(tech, "SUBSTRATE"), cte_carrier=_cte(tech, "CARRIER"),
        delta_t_k=_num(tech, "thermal_delta_t_k", low=0.0, high=2000.0),
        bulge_um=_num(tech, "bulge_um", low=0.0), carrier_gap_um=_num(tech, "carrier_gap_um",
                                                                      low=0.0),
        margin=_num(tech, "length_margin_ratio", low=1.0, high=10.0),
        spring=_spring(tech),
        taper_ratio=_num(tech, "spring_taper_ratio", low=0.0, high=0.9, default=0.5),
        release_margin_um=_num(tech, "spring_release_margin_um", low=0.0, high=1e4,
                               default=0.0),
        sheet=_sheet(tech))


def rule_limit(tech: Technology, kind: str, layers: Sequence[Layer | None]) -> float:
    """The largest limit among the technology's rules of a kind on these layers (0: none).

    Args:
        tech: the technology.
        kind: the rule kind.
        layers: the layers in the rule's role order (None: the role is not drawn).
    """
    if any(lay is None for lay in layers):
        return 0.0
    want = tuple(lay.name for lay in layers)
    vals = [r.limit for r in tech.rules.values() if r.kind == kind and r.layers == want]
    return max(vals, default=0.0)
