"""Small wafer builds shared by the wafer tests: the test die, grown to 5 x 5 mm, on a 100 mm
wafer (some 250 dies: the flat checks of whole plates stay quick)."""

from __future__ import annotations

import pytest

from tests.designs import base_design, pad, write_design
from wlpmask.build import build

WAFER = {"diameter_mm": 100.0, "edge_exclusion_mm": 3.0, "date": "2025-01-15"}
DIE_UM = 5000.0


def small_build(tmp_path, progress=None, **wafer):
    """Build the test die with a [wafer] section (WAFER updated by wafer)."""
    doc = base_design()
    doc["die"]["width_um"] = doc["die"]["height_um"] = DIE_UM
    doc["pads"]["pads"] = [pad("P1", DIE_UM / 2, 110.0), pad("P2", DIE_UM - 110.0, DIE_UM / 2)]
    doc["wafer"] = {**WAFER, **wafer}
    kw = {} if progress is None else {"progress": progress}
    return build(write_design(tmp_path, doc), tmp_path / "out", **kw)


@pytest.fixture(scope="session")
def plain(tmp_path_factory):
    """Drawn as seen on the wafer, dark-field plates inverted, partial dies mapped; the
    progress it reported is in plain.seen."""
    seen = []
    out = small_build(tmp_path_factory.mktemp("plain"), partial_dies="map",
                      progress=lambda phase, done=0, total=0: seen.append((phase, done, total)))
    out.seen = seen
    return out


@pytest.fixture(scope="session")
def uninverted(tmp_path_factory):
    """Drawn as seen on the wafer, no inversion."""
    return small_build(tmp_path_factory.mktemp("uninverted"), invert_dark_field=False)


@pytest.fixture(scope="session")
def mirrored(tmp_path_factory):
    """Mirrored plates (right-reading chrome-up), inverted."""
    return small_build(tmp_path_factory.mktemp("mirrored"), mirror=True)
