"""What a product family gives the build driver: the protocol and the product it returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import gdstk
import numpy as np

from ..cells import CellCache
from ..checks import ProcessCheck
from ..designfile import DesignDoc, Die, Preview, detail_window
from ..tech import Layer, Technology

__all__ = ["Detail", "Family", "MaskStep", "Product", "Progress", "Report", "Shapes",
           "corner_detail", "mask_steps", "quiet"]

Box = tuple[float, float, float, float]
Shapes = Mapping[str, Sequence[np.ndarray]]


class Progress(Protocol):
    """Where long work says what it is doing: a phase name and, when countable, n of total."""

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Report progress (see quiet for the arguments)."""
        ...


def quiet(phase: str, done: int = 0, total: int = 0) -> None:
    """A Progress that says nothing.

    Args:
        phase: what is being done.
        done: units finished.
        total: units in all (0: not countable).
    """


@dataclass(frozen=True)
class MaskStep:
    """One mask of the product's process flow, in the order the plates are used.

    Args:
        step: 1-based position in the flow.
        role: the family's layer role.
        layer: the technology layer.
        note: what the step does (e.g. "PI1 openings over the bond pads").
        aligned_to: the role of the mask this one aligns to (None: the first mask).
    """

    step: int
    role: str
    layer: Layer
    note: str = ""
    aligned_to: str | None = None

    def to_json(self) -> dict:
        """The manifest record: step, role, layer, gds, tone, purpose (and note)."""
        return {"step": self.step, "role": self.role, "layer": self.layer.name,
                "gds": list(self.layer.gds), "tone": self.layer.tone,
                "purpose": self.layer.purpose, "note": self.note,
                "aligned_to": self.aligned_to}


def mask_steps(roles: Mapping[str, Layer], flow: Sequence[tuple[str, str]], *,
               first_aligned_to: str | None = None) -> tuple[MaskStep, ...]:
    """The mask sequence of a flow: each role drawn on a mask layer, aligned to the one before.

    Roles not drawn, and roles on layers that are not masks, get no step.

    Args:
        roles: role -> layer, for the roles drawn.
        flow: (role, what the step does) in the order the plates are used.
        first_aligned_to: what the first mask aligns to (e.g. the incoming wafer's "PAD").
    """
    masks: list[MaskStep] = []
    prev = first_aligned_to
    for role, note in flow:
        layer = roles.get(role)
        if layer is None or layer.purpose != "mask":
            continue
        masks.append(MaskStep(len(masks) + 1, role, layer, note, prev))
        prev = role
    return tuple(masks)


@dataclass(frozen=True)
class Detail:
    """The zoomed detail preview.

    Args:
        region_um: the window (x0, y0, x1, y1).
        caption: what it shows (after the design name in the title).
        corner: the die corner it sits at, if any.
    """

    region_um: Box
    caption: str
    corner: str | None = None


class Report(Protocol):
    """A family's report data: what it did, and whether it all worked."""

    @property
    def ok(self) -> bool:
        """False when the family could not make everything it was asked for.

        E.g. a net left unrouted; the build then exits 1.
        """
        ...

    def summary_lines(self) -> list[str]:
        """One or more short lines for `wlpmask build` (stdout)."""
        ...

    def problem_lines(self) -> list[str]:
        """Lines naming what is missing (stderr), empty when ok."""
        ...


def corner_detail(preview: Preview, die: Die, *, near: Sequence[tuple[float, float]],
                  pitch_um: float) -> Detail | None:
    """The detail preview at the design's corner (designfile.detail_window), captioned.

    Args:
        preview: the design's [preview] settings.
        die: the die.
        near: feature centres (um) the window's default size reaches past.
        pitch_um: the features' pitch (um).
    """
    window = detail_window(preview, die, near=near, pitch_um=pitch_um)
    if window is None:
        return None
    x0, y0, x1, y1 = window
    corner = preview.detail_corner.replace("_", "-")
    return Detail(window, f"{corner} corner, {x1 - x0:g} x {y1 - y0:g} um",
                  preview.detail_corner)


@dataclass
class Product:
    """What a family's generate() returns.

    Args:
        top: the top cell, named after the design; every cell below it is reachable.
        roles: every role drawn -> its technology layer.
        report: the family's report data.
        die: the die frame (the step on a wafer).
        masks: the mask sequence of the process flow.
        preview_layers: technology layer names to draw in previews, bottom first.
        detail: the zoomed detail preview, or None.
        absent: role -> why the design does not draw it; a rule on a layer of that name
            that the product does not draw is skipped with this reason.
        files: further files written beside the outputs (name -> bytes).
        layouts: further GDS files written beside NAME.gds (file name -> top cell), e.g. the
            top and bottom plates of an etched sheet; written like NAME.gds.
        handoff: files for the people after the mask shop (name -> bytes: ball map, footprint,
            contact map, lead table), written beside the outputs and listed in the manifest.
        notes: warning lines for the user (e.g. pads left out).
        wafer_cell: the cell a [wafer] section steps, when it is not the top cell (a product
            made of several parts: e.g. chip 1 of a chip-on-chip package); its frame is `die`.
        wafer_masks: the masks of that wafer (its plates), when not all of `masks`.
    """

    top: gdstk.Cell
    roles: Mapping[str, Layer]
    report: Report
    die: Die
    masks: tuple[MaskStep, ...] = ()
    preview_layers: tuple[str, ...] = ()
    detail: Detail | None = None
    absent: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    layouts: Mapping[str, gdstk.Cell] = field(default_factory=lambda: MappingProxyType({}))
    handoff: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()
    wafer_cell: gdstk.Cell | None = None
    wafer_masks: tuple[MaskStep, ...] | None = None

    @property
    def stepped_cell(self) -> gdstk.Cell:
        """The cell a [wafer] steps: `wafer_cell`, else the top cell."""
        return self.top if self.wafer_cell is None else self.wafer_cell

    @property
    def stepped_masks(self) -> tuple[MaskStep, ...]:
        """The masks of the stepped wafer (its plates): `wafer_masks`, else `masks`."""
        return tuple(self.masks) if self.wafer_masks is None else self.wafer_masks

    @property
    def cells(self) -> list[gdstk.Cell]:
        """The top cell and every cell under it, sorted by name."""
        return sorted([self.top, *[c for c in self.top.dependencies(True)
                                   if isinstance(c, gdstk.Cell)]], key=lambda c: c.name)


class Family(Protocol):
    """A product family: the object the build driver calls; see the package docstring."""

    name: str
    summary: str
    sections: frozenset[str]

    def load(self, doc: DesignDoc) -> Any:
        """Read the family's sections (and the shared ones it uses) into a frozen part.

        Args:
            doc: the parsed design file.

        Raises:
            WlpmaskError: bad input, naming the file and key.
        """
        ...

    def generate(self, part: Any, *, tech: Technology, cache: CellCache,
                 progress: Progress = quiet) -> Product:
        """Draw the product: cells placed under one top cell, with the report data.

        Args:
            part: what load returned.
            tech: the technology.
            cache: the build's cell cache (one cell per distinct set of parameters).
            progress: where long work reports its phases.
        """
        ...

    def checks(self, part: Any, product: Product, shapes: Shapes,
               tech: Technology) -> list[ProcessCheck]:
        """The family's process checks on the flattened layout.

        Args:
            part: what load returned.
            product: what generate returned.
            shapes: technology layer name -> the top cell's polygons flattened, um.
            tech: the technology.
        """
        ...

    def manifest(self, part: Any, product: Product) -> dict[str, Any]:
        """The family's manifest keys (added to manifest.json's top level; none may be taken).

        Args:
            part: what load returned.
            product: what generate returned.
        """
        ...

