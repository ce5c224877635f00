"""The [exposure] section: the medium, and the stage tilt or the wanted lean in the resist.

Snell's law (wlpmask.physics.exposure) turns one into the other; a lean beyond the medium's
maximum asin(n_medium / n_resist) is an error that names the maximum and the media that would
reach it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...physics import exposure as phys
from ...validate import Reader
from .rules import Process

__all__ = ["Exposure", "read_exposure"]

# A resist this thick is no longer a layer on a wafer.
MAX_RESIST_UM = 5000.0


@dataclass(frozen=True)
class Exposure:
    """One angled exposure: the light's angles and the resist it lands in.

    Args:
        medium: the medium's name; n_medium, n_resist: the indices.
        resist_um: the resist thickness t.
        gap_um: the proximity gap g between mask and resist.
        tilt_deg: the angle in the medium (the stage tilt).
        angle_deg: the angle in the resist (the lean of every column).
        max_angle_deg: the largest angle the medium can give in the resist.
    """

    medium: str
    n_medium: float
    n_resist: float
    resist_um: float
    gap_um: float
    tilt_deg: float
    angle_deg: float
    max_angle_deg: float

    @property
    def offset_um(self) -> float:
        """How far a column's foot lies from its opening along the beam."""
        return phys.foot_offset_um(thickness_um=self.resist_um, angle_in_resist_deg=self.angle_deg,
                                   gap_um=self.gap_um, angle_in_medium_deg=self.tilt_deg)

    @property
    def top_shift_um(self) -> float:
        """How far a column's top (the resist surface) lies from its opening: g tan(tilt)."""
        return self.gap_um * math.tan(math.radians(self.tilt_deg))

    @property
    def length_um(self) -> float:
        """A column's length along its axis, t / cos(theta_r)."""
        return phys.element_length_um(thickness_um=self.resist_um,
                                      angle_in_resist_deg=self.angle_deg)


def read_exposure(r: Reader, t: dict, process: Process, tech_file: str) -> Exposure:
    """The [exposure] table, resolved by Snell's law.

    Args:
        r: the design file's reader.
        t: the [exposure] table.
        process: the technology's numbers (media, resist, default gap).
        tech_file: the technology file (for messages).
    """
    key = "exposure"
    r.keys(key, t, {"medium", "tilt_deg", "angle_in_resist_deg", "gap_um",
                    "resist_thickness_um"})
    media = process.media
    medium = r.string(t, key, "medium", choices=tuple(media))
    nm, nr = media[medium], process.n_resist
    top = phys.max_angle_in_resist_deg(n_medium=nm, n_resist=nr)
    if ("tilt_deg" in t) == ("angle_in_resist_deg" in t):
        raise r.err(key, "give either tilt_deg (the stage tilt in the medium) or "
                    "angle_in_resist_deg (the wanted lean)")
    gap = r.num(t, key, "gap_um", default=process.exposure_gap_um, maximum=MAX_RESIST_UM)
    thick = r.num(t, key, "resist_thickness_um", default=process.resist_um, strict=True,
                  maximum=MAX_RESIST_UM)
    if "tilt_deg" in t:
        tilt = r.num(t, key, "tilt_deg", maximum=89.0)
        angle = phys.angle_in_resist_deg(angle_in_medium_deg=tilt, n_medium=nm, n_resist=nr)
    else:
        angle = r.num(t, key, "angle_in_resist_deg", maximum=89.0)
        if angle >= top - 1e-9:
            reach = [f"{m} ({phys.max_angle_in_resist_deg(n_medium=n, n_resist=nr):.1f} deg)"
                     for m, n in media.items()
                     if phys.max_angle_in_resist_deg(n_medium=n, n_resist=nr) > angle]
            raise r.err(f"{key}.angle_in_resist_deg",
                        f"{angle:g} deg is beyond the maximum {top:.2f} deg in the resist from "
                        f"{medium} (asin({nm:g} / {nr:g})); media that reach it: "
                        f"{', '.join(reach) or f'none in {tech_file}'}")
        tilt = phys.angle_in_medium_deg(angle_in_resist_deg=angle, n_medium=nm, n_resist=nr)
    return Exposure(medium, nm, nr, thick, gap, tilt, angle, top)
