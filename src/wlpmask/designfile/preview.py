"""The [preview] section: which die corner the zoomed detail preview shows, and how large."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..validate import Reader
from .die import MAX_DIE_UM, Die

__all__ = ["CORNERS", "MIN_DETAIL_UM", "Preview", "detail_window", "read_preview"]

CORNERS = ("lower_left", "lower_right", "upper_left", "upper_right", "none")
# The smallest detail window: below a micrometre a preview shows nothing a person can read.
MIN_DETAIL_UM = 1.0

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Preview:
    """The zoomed detail preview.

    Args:
        detail_corner: which die corner ("none": no detail preview).
        detail_um: the window's side; None: the family chooses (e.g. from its bump array).
    """

    detail_corner: str = "lower_left"
    detail_um: float | None = None


def read_preview(r: Reader, t: dict) -> Preview:
    """The [preview] table.

    Args:
        r: the design file's reader.
        t: the [preview] table (may be empty).
    """
    r.keys("preview", t, {"detail_corner", "detail_um"})
    side = r.num(t, "preview", "detail_um", default=None, minimum=MIN_DETAIL_UM,
                 maximum=MAX_DIE_UM)
    return Preview(r.string(t, "preview", "detail_corner", default="lower_left",
                            choices=CORNERS), side)


def detail_window(preview: Preview, die: Die, *, near: Iterable[tuple[float, float]] = (),
                  pitch_um: float = 0.0) -> Box | None:
    """The window of the detail preview: a square at the preview's corner.

    By default it reaches one and a half pitches past the point of `near` closest to that
    corner.

    Args:
        preview: the [preview] settings.
        die: the die (the window stays inside it).
        near: feature centres (um); the window's default size reaches past the nearest.
        pitch_um: the features' pitch (um).

    Returns:
        (x0, y0, x1, y1) in um, or None for no detail preview.
    """
    corner = preview.detail_corner
    if corner == "none":
        return None
    w, h = die.width_um, die.height_um
    right, top = corner.endswith("right"), corner.startswith("upper")

    def to_corner(x: float, y: float) -> tuple[float, float]:
        return (w - x if right else x, h - y if top else y)

    side = preview.detail_um
    if side is None:
        pts = [to_corner(x, y) for x, y in near]
        side = (max(min(pts, key=lambda p: p[0] + p[1])) + 1.5 * pitch_um if pts
                else min(w, h) / 4)
    side = min(side, w, h)
    x0 = w - side if right else 0.0
    y0 = h - side if top else 0.0
    return (x0, y0, x0 + side, y0 + side)
