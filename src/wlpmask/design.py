"""Load a design file of any family: the header, then the family's own sections.

`load_design` reads the [design] header (wlpmask.designfile), picks the family it names from
the family table and lets it load the rest into its frozen design part. An unknown family, an
unknown section or any bad value raises one WlpmaskError naming the file and key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .designfile import SHARED_SECTIONS, WaferSpec, read_design, read_wafer
from .families import DEFAULT_FAMILY, FAMILIES, Family
from .tech import Technology

__all__ = ["Design", "load_design"]


@dataclass(frozen=True)
class Design:
    """A validated design file; immutable.

    Args:
        name: the design name (output file names, top cell).
        family: the family name.
        description: the header's description.
        path: the design file.
        tech: the technology.
        tech_path: the technology file as resolved from the design file.
        part: the family's frozen design part.
        inputs: every file read -> its sha256.
        generated: files made while loading (name -> bytes), written beside the outputs.
        notes: warning lines for the user.
        wafer: the [wafer] section (None: the die alone is built).
    """

    name: str
    family: str
    description: str
    path: str
    tech: Technology
    tech_path: str
    part: Any
    inputs: Mapping[str, str]
    generated: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()
    wafer: WaferSpec | None = None


def load_design(path: str | Path, *,
                families: Mapping[str, Family] = FAMILIES) -> tuple[Design, Family]:
    """Read, validate and resolve a design file.

    Args:
        path: the design TOML file.
        families: the family table (name -> family object).

    Returns:
        The design and the family object that loaded it.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    doc = read_design(path, families=families,
                      default_family=DEFAULT_FAMILY if DEFAULT_FAMILY in families else None)
    fam = families[doc.header.family]
    doc.check_sections(SHARED_SECTIONS | fam.sections)
    part = fam.load(doc)
    h = doc.header
    wafer = read_wafer(doc.reader, doc.table("wafer", required=False), doc.tech,
                       design_name=h.name)
    return Design(name=h.name, family=h.family, description=h.description, path=str(doc.path),
                  tech=doc.tech, tech_path=str(h.technology), part=part,
                  inputs=MappingProxyType(dict(sorted(doc.inputs.items()))),
                  generated=MappingProxyType(dict(sorted(doc.generated.items()))),
                  notes=tuple(doc.notes), wafer=wafer), fam
