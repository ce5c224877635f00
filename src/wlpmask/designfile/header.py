"""The [design] header every design file starts with, read once for every family.

`read_design` reads the TOML document, the header (name, technology, family, description) and
the technology it names, and returns a `DesignDoc`: the rest of the document, still raw, for
the family to load. The family names are passed in, so this package knows no family.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..tech import Technology, load_technology, read_toml
from ..validate import REQUIRED, Reader

__all__ = ["HEADER_KEYS", "DesignDoc", "Header", "read_design"]

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
HEADER_KEYS = frozenset({"name", "technology", "family", "description"})


@dataclass(frozen=True)
class Header:
    """The [design] table.

    Args:
        name: the design name (output file names): a letter, then letters, digits, _ . -.
        family: the product family the rest of the file is for.
        technology: the technology file, resolved against the design file's directory.
        description: free text.
    """

    name: str
    family: str
    technology: Path
    description: str = ""


@dataclass
class DesignDoc:
    """A design file with its header read and its technology loaded; the rest still raw.

    Args:
        path: the design file.
        data: the whole TOML document.
        reader: the typed reader of the document (errors name this file).
        header: the [design] table.
        tech: the technology the header names.
        inputs: every file read so far -> its sha256 (loaders add theirs with `add_input`).
        generated: files made while loading (name -> bytes; a demo chip's GDS) that the build
            writes beside its outputs.
        notes: warning lines for the user (e.g. pads left out), printed by the build.
    """

    path: Path
    data: dict
    reader: Reader
    header: Header
    tech: Technology
    inputs: dict[str, str] = field(default_factory=dict)
    generated: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def table(self, name: str, *, required: bool = True) -> dict:
        """A top-level section; an optional missing one is empty.

        Args:
            name: the section name.
            required: fail when it is missing.
        """
        return self.reader.table(self.data, "", name, required=required)

    def add_input(self, path: Path) -> None:
        """Record a file the design reads (its hash goes into the manifest).

        Args:
            path: the file.
        """
        self.inputs[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()

    def check_sections(self, allowed: Iterable[str]) -> None:
        """Fail on the first top-level section no loader reads (a typo).

        Args:
            allowed: the shared sections and the family's own.
        """
        self.reader.keys("", self.data, set(allowed))


def read_design(path: str | Path, *, families: Collection[str],
                default_family: str | None = None) -> DesignDoc:
    """Read a design file's header and its technology.

    Args:
        path: the design TOML file.
        families: the valid family names; an unknown one fails naming them.
        default_family: the family of a header without `family` (None: the key is required).

    Raises:
        WlpmaskError: naming the file and key of the first problem.
    """
    path = Path(path)
    data, raw = read_toml(path)
    r = Reader(path)
    head = r.table(data, "", "design")
    r.keys("design", head, set(HEADER_KEYS))
    name = r.string(head, "design", "name")
    if not NAME_RE.match(name):
        raise r.err("design.name", f"expected a name of letters, digits, '_', '.', '-' "
                    f"starting with a letter, got {name!r}")
    family = r.string(head, "design", "family",
                      default=REQUIRED if default_family is None else default_family)
    if family not in families:
        raise r.err("design.family", f"unknown family {family!r}; valid families: "
                    f"{', '.join(sorted(families))}")
    tech_path = r.path(r.string(head, "design", "technology"))
    if not tech_path.is_file():
        raise r.err("design.technology", f"technology file not found: {tech_path}")
    tech = load_technology(tech_path)
    header = Header(name, family, tech_path, r.string(head, "design", "description", default=""))
    inputs = {str(path): hashlib.sha256(raw).hexdigest(), str(tech_path): tech.sha256}
    return DesignDoc(path, data, r, header, tech, inputs)
