"""The die frame every family shares: die boundary, dicing lane, seal ring and keep-out.

The boundary is the stepping size on the wafer (saw-line centre to saw-line centre); each die
carries half the dicing lane, then the seal ring, then a keep-out for the family's terminals,
each measured inward. Coordinates are um with the boundary's lower-left corner at the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..validate import Reader

__all__ = ["DIE_KEYS", "MAX_DIE_UM", "Die", "read_die"]

DIE_KEYS = frozenset({"width_um", "height_um", "seal_ring_um", "keepout_um", "dicing_lane_um"})
# The largest die side: a 300 mm wafer. Anything larger is a typo (an mm value in um), and work
# that scales with the die area (routing lattices, bump fits) stays bounded below it.
MAX_DIE_UM = 300_000.0


@dataclass(frozen=True)
class Die:
    """The die frame: its boundary and the bands inside it.

    The boundary lies at the saw-line centre; then come half the dicing lane, the seal ring
    and the keep-out, each measured inward.

    Args:
        width_um: die boundary width (the stepping size on the wafer).
        height_um: die boundary height.
        seal_ring_um: seal-ring width.
        keepout_um: distance from the seal ring's inner edge to the nearest terminal centre.
        dicing_lane_um: full dicing-lane width; each die carries half of it.
    """

    width_um: float
    height_um: float
    seal_ring_um: float = 0.0
    keepout_um: float = 0.0
    dicing_lane_um: float = 0.0

    def inset(self, d_um: float) -> tuple[float, float, float, float]:
        """The die boundary shrunk on every side, as (x0, y0, x1, y1) in um.

        Args:
            d_um: the distance to shrink by.
        """
        return (d_um, d_um, self.width_um - d_um, self.height_um - d_um)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The die boundary (x0, y0, x1, y1) in um."""
        return (0.0, 0.0, self.width_um, self.height_um)

    @property
    def seal_outer_um(self) -> float:
        """Distance from the boundary to the seal ring's outer edge (half the lane)."""
        return self.dicing_lane_um / 2.0

    @property
    def seal_inner_um(self) -> float:
        """Distance from the boundary to the seal ring's inner edge."""
        return self.dicing_lane_um / 2.0 + self.seal_ring_um

    @property
    def bump_margin_um(self) -> float:
        """Distance from the boundary to the nearest allowed terminal centre."""
        return self.seal_inner_um + self.keepout_um


def read_die(r: Reader, t: dict, *, key: str = "die") -> Die:
    """The [die] table, checked: sizes in bounds, room left inside the margins.

    Args:
        r: the design file's reader.
        t: the [die] table.
        key: the table's key (for messages).
    """
    r.keys(key, t, set(DIE_KEYS))
    vals = {}
    for name in ("width_um", "height_um"):
        vals[name] = r.num(t, key, name, strict=True, maximum=MAX_DIE_UM)
    for name in ("seal_ring_um", "keepout_um", "dicing_lane_um"):
        vals[name] = r.num(t, key, name, default=0.0, maximum=MAX_DIE_UM)
    die = Die(**vals)
    if 2 * die.bump_margin_um >= min(die.width_um, die.height_um):
        raise r.err(key, f"dicing lane, seal ring and keep-out ({die.bump_margin_um:g} um per "
                    f"side) leave no room on a {die.width_um:g} x {die.height_um:g} um die")
    return die
