"""The [wafer] section: defaults, and bad values named by file and key (exit 2, nothing
written)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.designs import base_design, load, write_design
from wlpmask.cli import main
from wlpmask.errors import WlpmaskError

OK = {"diameter_mm": 150.0, "edge_exclusion_mm": 3.0, "date": "2025-01-15"}


def wafer_of(tmp_path, **changes):
    doc = base_design()
    doc["wafer"] = {**OK, **changes}
    return load(tmp_path, doc).design.wafer


def test_defaults(tmp_path):
    w = wafer_of(tmp_path)
    assert (w.flat_length_mm, w.notch_keepout_mm) == (57.5, None)  # SEMI flat of 150 mm
    assert w.alignment_tolerance_um == 1.0  # from the technology
    assert (w.offset_um, w.plate.code, w.partial_dies, w.mirror) == (None, "7009", "omit", False)
    assert w.invert_dark_field and w.substrate_id == "t" and w.revision == "A"
    n = wafer_of(tmp_path, diameter_mm=300.0, notch_keepout_mm=4.0, plate_size_mm=356.0,
                 plate_thickness_mm=6.35)
    assert (n.flat_length_mm, n.notch_keepout_mm, n.plate.code) == (None, 4.0, "custom")
    assert wafer_of(tmp_path, diameter_mm=100.0).plate.code == "5009"
    assert wafer_of(tmp_path, plate="9009").plate.size_mm == pytest.approx(228.6)
    r = wafer_of(tmp_path, diameter_mm=300.0, notch_keepout_mm=4.0, reticle_reduction=5)
    assert (r.reticle_reduction, r.plate.code) == (5, "6025")  # a reticle: any wafer size
    assert load(tmp_path, base_design()).design.wafer is None


@pytest.mark.parametrize("changes,key,text", [
    ({"diameter_mm": 180.0}, "wafer.diameter_mm", "expected one of 100, 125, 150, 200, 300"),
    ({"diameter_mm": 300.0, "plate": "9009"}, "wafer.notch_keepout_mm", "missing value"),
    ({"diameter_mm": 200.0, "orientation": "flat"}, "wafer.flat_length_mm", "no SEMI flat"),
    ({"notch_keepout_mm": 3.0}, "wafer.notch_keepout_mm", "has no notch keep-out"),
    ({"date": "15.01.2025"}, "wafer.date", "YYYY-MM-DD"),
    ({"marks_mm": [[0.0, 0.0]]}, "wafer.marks_mm", "two or more"),
    ({"marks_mm": [[0.0, 0.0], [80.0, 0.0]]}, "wafer.marks_mm", "off the wafer"),
    ({"plate": "4009"}, "wafer.plate", "expected one of"),
    ({"plate": "5009", "plate_size_mm": 200.0}, "wafer.plate", "not both"),
    ({"edge_exclusion_mm": -1.0}, "wafer.edge_exclusion_mm", ">= 0"),
    ({"offset_um": [1.0]}, "wafer.offset_um", "expected [dx, dy]"),
    ({"plate": "6025"}, "wafer.plate", "too small"),
    ({"plate_size_mm": 160.0, "plate_thickness_mm": 2.0}, "wafer.plate_size_mm", "too small"),
    ({"diameter_mm": 300.0, "notch_keepout_mm": 4.0}, "wafer.plate", "no standard 1x plate"),
    ({"partial": "map"}, "wafer.partial", "unknown key"),
    ({"reticle_reduction": 2.5}, "wafer.reticle_reduction", "integer 1..10"),
])
def test_bad_values_name_the_key(tmp_path, changes, key, text):
    with pytest.raises(WlpmaskError) as ei:
        wafer_of(tmp_path, **changes)
    assert ei.value.key == key and text in ei.value.message
    assert ei.value.file.endswith("d.toml")


@pytest.mark.parametrize("changes,key", [
    ({"plate": "5009"}, "wafer.plate"),  # a 150 mm wafer does not fit a 5-inch plate
    ({"marks_mm": [[-72.0, 0.0], [72.0, 0.0]]}, "wafer.marks_mm"),  # off the usable area
    ({"reticle_reduction": 10, "plate_size_mm": 100.0, "plate_thickness_mm": 2.3},
     "wafer.reticle_reduction"),  # 10x images and label beyond a 100 mm plate
])
def test_build_refuses_what_does_not_fit(tmp_path, changes, key):
    doc = base_design()
    doc["wafer"] = {**OK, **changes}
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(write_design(tmp_path, doc)), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert f"d.toml: {key}: " in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()
