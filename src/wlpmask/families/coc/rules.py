"""What the chip-on-chip family reads from the technology: layer roles, stack, process, rules.

Every dimension and limit comes from here: bump kinds (diameter, pitch, height, solder) from
their stack films, the pore and its dielectric, the frame thickness T and the lead-frame
construction values from [process], and the few rule limits the generator derives sizes from.
A missing or malformed value fails naming the technology file and key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ...designfile import Roles
from ...errors import WlpmaskError
from ...tech import Layer, Rule, StackLayer, Technology


@dataclass(frozen=True)
class CocLayers(Roles):
    """The family's layer roles (a design may map each to a technology layer name)."""

    CHIP: Layer
    BUMP1: Layer
    BUMP2: Layer
    BUMPC: Layer
    CAP: Layer
    PORE: Layer
    FRAME: Layer
    HEATSINK: Layer
    LEAD: Layer
    LAND: Layer
    TIE: Layer
    DAM: Layer
    MOULD: Layer
    HALF_TOP: Layer
    HALF_BOT: Layer
    PLATE_TOP: Layer
    PLATE_BOT: Layer
    ADHESIVE: Layer
    PACKAGE: Layer


# Roles drawn in the etch-plate files rather than in NAME.gds.
PLATE_ROLES = ("PLATE_TOP", "PLATE_BOT")


@dataclass(frozen=True)
class Solder:
    """A solder: its name and melting range (C)."""

    name: str
    solidus_c: float
    liquidus_c: float


@dataclass(frozen=True)
class BumpKind:
    """One kind of bump, from its stack film.

    Args:
        name: the stack film's name (e.g. "FLIPCHIP").
        diameter_um: bump diameter (across flats).
        pitch_min_um: the smallest centre-to-centre pitch (0: not given).
        edge_min_um: the smallest distance from a bump centre to its chip's edge (0: none).
        height_um: height after collapse (the film's thickness).
        height_before_um: height before collapse.
        solder: its solder.
    """

    name: str
    diameter_um: float
    pitch_min_um: float
    edge_min_um: float
    height_um: float
    height_before_um: float
    solder: Solder


@dataclass(frozen=True)
class PoreTech:
    """The pore and its dielectric (um; eps_r dimensionless)."""

    diameter_um: float
    pitch_um: float
    depth_um: float
    dielectric_um: float
    permittivity_ratio: float


@dataclass(frozen=True)
class FrameTech:
    """Lead-frame construction values (um) from [process]; names say what each measures."""

    second_bump_inset_um: float
    lead_width_um: float
    heat_sink_margin_um: float
    mould_lock_hole_um: float
    mould_lock_pitch_um: float
    adhesive_inset_um: float
    tie_bar_width_um: float
    tie_block_gap_um: float
    dam_bar_width_um: float
    dam_bar_gap_um: float
    dam_bar_overhang_um: float
    rail_width_um: float
    contact_length_um: float
    heat_sink_recess_um: float


FRAME_KEYS = tuple(FrameTech.__dataclass_fields__)


@dataclass(frozen=True)
class CocTech:
    """Everything the family reads from the technology, checked once at load."""

    grid_um: float
    frame_um: float
    chip1_um: float
    upper_um: float
    adhesive_um: float
    kinds: Mapping[str, BumpKind]
    second: BumpKind
    pore: PoreTech
    frame: FrameTech
    superheat_k: float
    margin_k: float
    z_tolerance_um: float
    half_etch_min_ratio: float
    half_etch_max_ratio: float
    plate_difference_um: float
    plate_misregistration_um: float
    wider_plate: str
    upper_to_second_min_um: float
    land_rule: Rule
    adhesive_rule: Rule
    pore_rule: Rule
    web_rule: Rule
    slot_rule: Rule
    convex_radius_um: float = 0.0
    concave_radius_um: float = 0.0
    strip_rail_um: float | None = None
    pilot_hole_um: float | None = None


def _err(tech: Technology, key: str, message: str) -> WlpmaskError:
    return WlpmaskError(message, file=tech.source, key=key)


def _process(tech: Technology, key: str, *, positive: bool = True) -> float:
    v = tech.param(key)
    if not isinstance(v, float) or (positive and not v > 0) or v < 0:
        want = "a number > 0" if positive else "a number >= 0"
        raise _err(tech, f"process.{key}", f"expected {want}, got {v!r}")
    return v


def _film(tech: Technology, name: str) -> StackLayer:
    film = tech.stack.get(name)
    if film is None:
        raise _err(tech, f"stack.{name}", "missing stack film; the coc family needs it")
    return film


def _const(tech: Technology, film: StackLayer, key: str, default: float | None = None, *,
           positive: bool = False) -> float:
    v = film.constants.get(key, default)
    if not isinstance(v, float) or (positive and not v > 0):
        raise _err(tech, f"stack.{film.name}.{key}",
                   f"expected a number{' > 0' if positive else ''}, got {v!r}")
    return v


def bump_kind(tech: Technology, name: str) -> BumpKind:
    """A bump kind from its stack film (diameter, pitch, heights, solder).

    Args:
        tech: the technology.
        name: the stack film's name.
    """
    f = _film(tech, name)
    diameter = _const(tech, f, "diameter_um", positive=True)
    solder = Solder(f.material or name, _const(tech, f, "solidus_c"),
                    _const(tech, f, "liquidus_c"))
    if solder.solidus_c > solder.liquidus_c:
        raise _err(tech, f"stack.{name}.solidus_c", f"solidus {solder.solidus_c:g} C above "
                   f"liquidus {solder.liquidus_c:g} C")
    return BumpKind(name, diameter, _const(tech, f, "pitch_min_um", 0.0),
                    _const(tech, f, "edge_min_um", 0.0), f.thickness_um,
                    _const(tech, f, "height_before_collapse_um", f.thickness_um), solder)


def _rule(tech: Technology, kind: str, layers: tuple[str, ...], what: str) -> Rule:
    found = [r for r in tech.rules.values() if r.kind == kind and r.layers == layers]
    if not found:
        raise _err(tech, "rules", f"the coc family needs a {kind} rule on "
                   f"{' / '.join(layers)} ({what})")
    return max(found, key=lambda r: r.limit)


def _radius(tech: Technology, kind: str, layers: tuple[str, ...]) -> float:
    """The largest corner radius a rule of that kind asks on those layers (0: none)."""
    return max((r.limit for r in tech.rules.values() if r.kind == kind and r.layers == layers),
               default=0.0)


def coc_tech(tech: Technology, layers: CocLayers) -> CocTech:
    """Read and check the values the family needs.

    Args:
        tech: the technology.
        layers: the resolved layer roles (rules are found by their layers).
    """
    kinds_v = tech.param("first_bump_kinds")
    if not isinstance(kinds_v, tuple) or not kinds_v or \
            not all(isinstance(k, str) for k in kinds_v):
        raise _err(tech, "process.first_bump_kinds",
                   f"expected a list of stack film names, got {kinds_v!r}")
    wider = tech.param("wider_plate")
    if wider not in ("top", "bottom"):
        raise _err(tech, "process.wider_plate", f"expected top or bottom, got {wider!r}")
    dielectric = _film(tech, "PORE_DIELECTRIC")
    L = layers  # noqa: N806 - role map
    frame_film = _film(tech, "FRAME")
    web = _rule(tech, "width", (L.FRAME.name,), "photo-etch web")
    slot = _rule(tech, "space", (L.FRAME.name,), "photo-etch slot")
    return CocTech(
        grid_um=tech.grid_um, frame_um=frame_film.thickness_um,
        chip1_um=_film(tech, "CHIP1").thickness_um, upper_um=_film(tech, "UPPER").thickness_um,
        adhesive_um=_film(tech, "ADHESIVE").thickness_um,
        kinds=MappingProxyType({k: bump_kind(tech, k) for k in kinds_v}),
        second=bump_kind(tech, "BUMP2"),
        pore=PoreTech(_process(tech, "pore_diameter_um"), _process(tech, "pore_pitch_um"),
                      _film(tech, "PORE").thickness_um, dielectric.thickness_um,
                      _const(tech, dielectric, "relative_permittivity_ratio", positive=True)),
        frame=FrameTech(**{k: _process(tech, k, positive=k != "heat_sink_recess_um")
                           for k in FRAME_KEYS}),
        superheat_k=_process(tech, "reflow_superheat_k", positive=False),
        margin_k=_process(tech, "solder_margin_k", positive=False),
        z_tolerance_um=_process(tech, "z_stack_tolerance_um", positive=False),
        half_etch_min_ratio=_process(tech, "half_etch_min_ratio"),
        half_etch_max_ratio=_process(tech, "half_etch_max_ratio"),
        plate_difference_um=_process(tech, "plate_width_difference_um", positive=False),
        plate_misregistration_um=_process(tech, "plate_misregistration_um", positive=False),
        wider_plate=wider,
        upper_to_second_min_um=_process(tech, "upper_chip_to_second_bump_min_um",
                                        positive=False),
        land_rule=_rule(tech, "enclosure", (L.LAND.name, L.BUMP2.name), "land encloses bump"),
        adhesive_rule=_rule(tech, "enclosure", (L.HEATSINK.name, L.ADHESIVE.name),
                            "adhesive keep-out"),
        pore_rule=_rule(tech, "enclosure", (L.CAP.name, L.PORE.name), "region encloses pore"),
        web_rule=web, slot_rule=slot,
        convex_radius_um=_radius(tech, "convex_corner_radius", (L.FRAME.name,)),
        concave_radius_um=_radius(tech, "concave_corner_radius", (L.FRAME.name,)),
        strip_rail_um=_optional(tech, "strip_rail_um"),
        pilot_hole_um=_optional(tech, "pilot_hole_um"))


def _optional(tech: Technology, key: str) -> float | None:
    """A [process] value > 0 the family uses only when a design asks for it (a strip)."""
    return _process(tech, key) if key in tech.process else None
