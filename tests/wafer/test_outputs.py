"""The wafer step's files: the manifest record, the G85 map read back by a reader written here,
the CSV, the MALY mask set opened by KLayout (each mask XOR its plate empty), the offline
report, and progress."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import klayout.db as db

from tests.wafer.conftest import DIE_UM


def read_g85(path: Path) -> dict:
    """An independent G85 reader: (row, column) -> bin code of every die, by the convention
    the file states (first Row element = row 0, first character = column 0)."""
    root = ET.parse(path).getroot()
    m = root.find("Map")
    dev = m.find("Device")
    null = dev.get("NullBin")
    rows = [r.text for r in dev.find("Data").findall("Row")]
    dies = {(i, j): c for i, row in enumerate(rows) for j, c in enumerate(row) if c != null}
    ref = dev.find("ReferenceDevice")
    return {"substrate": m.get("SubstrateId"), "type": m.get("SubstrateType"),
            "rows": int(dev.get("Rows")), "columns": int(dev.get("Columns")),
            "widths": {len(r) for r in rows}, "n_rows": len(rows),
            "size": (float(dev.get("DeviceSizeX")), float(dev.get("DeviceSizeY"))),
            "origin": dev.get("OriginLocation"), "orientation": dev.get("Orientation"),
            "bins": {b.get("BinCode"): int(b.get("BinCount")) for b in dev.findall("Bin")},
            "reference": (int(ref.get("ReferenceDeviceX")), int(ref.get("ReferenceDeviceY"))),
            "dies": dies}


def read_csv(path: Path) -> list[dict]:
    text = "".join(line for line in path.read_text().splitlines(True)
                   if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(text)))


def test_manifest_wafer_record(plain):
    w = plain.manifest["wafer"]
    assert set(w) >= {"diameter_mm", "edge_exclusion_mm", "flat_length_mm", "notch_keepout_mm",
                      "step_um", "offset_um", "dies", "candidates"}
    assert w["flat_length_mm"] == 32.5 and w["notch_keepout_mm"] is None
    assert w["dies"] == max(c["dies"] for c in w["candidates"])
    assert w["offset_um"] in [c["offset_um"] for c in w["candidates"]]
    assert plain.manifest["plates"] == [m["file"] for m in
                                         json.loads((plain.out_dir / "masks.json").read_text())
                                         ["masks"]]
    assert plain.ok and plain.wafer.ok


def test_g85_round_trip(plain):
    r = plain
    g = read_g85(r.out_dir / "t.wafermap.xml")
    rows = read_csv(r.out_dir / "t.wafermap.csv")
    assert g["type"] == "Wafer" and g["substrate"] == "t"
    assert (g["origin"], g["orientation"]) == ("2", "0")
    assert g["widths"] == {g["columns"]} and g["n_rows"] == g["rows"]
    assert g["size"] == (DIE_UM, DIE_UM)
    code = {"full": "1", "partial": "P"}
    assert g["dies"] == {(int(x["row"]), int(x["column"])): code[x["state"]] for x in rows}
    assert g["bins"]["1"] == r.manifest["wafer"]["dies"]
    assert g["bins"]["P"] == r.manifest["wafer"]["partial_dies"] > 0
    # the convention: row 0 at the top, column 0 at the left, one step apart
    top = min(rows, key=lambda x: (int(x["row"]), int(x["column"])))
    assert float(top["y_um"]) == max(float(x["y_um"]) for x in rows)
    for x in rows:
        dr = int(x["row"]) - int(top["row"])
        dc = int(x["column"]) - int(top["column"])
        assert float(x["y_um"]) == float(top["y_um"]) - DIE_UM * dr
        assert float(x["x_um"]) == float(top["x_um"]) + DIE_UM * dc
    ref = g["reference"]
    centre = next(x for x in rows if (int(x["column"]), int(x["row"])) == ref)
    assert abs(float(centre["x_um"])) <= DIE_UM / 2 and abs(float(centre["y_um"])) <= DIE_UM / 2


def _plate_region(out: Path, mask: dict) -> db.Region:
    ly = db.Layout()
    ly.read(str(out / mask["file"]))
    return db.Region(ly.top_cell().begin_shapes_rec(ly.layer(mask["data_layer"][0], 0))).merged()


def test_maly_mask_set_opens_in_klayout(plain):
    for r in (plain,):
        masks = json.loads((r.out_dir / "masks.json").read_text())["masks"]
        ly = db.Layout()
        ly.read(str(r.out_dir / "masks.maly"))
        names = {ly.get_info(i).name: i for i in ly.layer_indexes()}
        assert sorted(names) == sorted(m["layer"] for m in masks)
        for m in masks:
            cell = ly.cell(f"MASK_{m['layer']}")
            got = db.Region(cell.begin_shapes_rec(names[m["layer"]]))
            want = _plate_region(r.out_dir, m)
            assert not want.is_empty()
            assert (got ^ want).is_empty(), m["layer"]


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href"):
                self.refs.append(v)


def test_report_is_offline_and_complete(plain):
    text = (plain.out_dir / "report.html").read_text()
    assert not re.search(r"(https?:|//|@import|<script)", text, re.I)
    p = _Refs()
    p.feed(text)
    assert p.refs
    for ref in p.refs:
        assert (plain.out_dir / ref).is_file(), ref
    for f in plain.manifest["handoff"]:
        assert f in p.refs
    for m in json.loads((plain.out_dir / "masks.json").read_text())["masks"]:
        assert m["file"] in p.refs and m["file"].replace(".gds", ".svg") in p.refs
    assert "t.wafermap.png" in p.refs


def test_progress_on_the_long_steps(plain):
    phases = [p for p, _, _ in plain.seen]
    assert "stepping" in phases
    assert any(p.startswith("wafer DRC") for p in phases)
    plates = [(d, t) for p, d, t in plain.seen if p == "writing plates"]
    assert plates and all(t == 3 for _, t in plates)


def test_a_product_without_masks_gets_a_wafer_and_maps_but_no_plate(plain, tmp_path):
    from dataclasses import replace

    from wlpmask.wafer import build_wafer

    r = plain
    out = build_wafer(tmp_path, design=r.design, product=replace(r.product, masks=()),
                      drc=r.drc, checks=r.checks, rules=r.manifest["drc"]["rules"],
                      skipped=r.skipped_rules, die_shapes={})
    assert out.manifest["plates"] == [] and out.manifest["wafer"]["marks_um"] == []
    assert out.manifest["wafer"]["dies"] >= r.manifest["wafer"]["dies"]  # no mark site
    assert (tmp_path / "t.wafermap.xml").is_file() and (tmp_path / "report.html").is_file()
    assert "BEGIN MALY" in (tmp_path / "masks.maly").read_text()


def test_wafer_violations_fail_the_build(tmp_path, monkeypatch):
    from tests.wafer.conftest import small_build
    from wlpmask.wafer import layout

    # a keep-out smaller than nothing: dies go onto the mark sites, and meet their marks there
    monkeypatch.setattr(layout, "_keepout", lambda *a: -3000.0)
    r = small_build(tmp_path)
    assert r.drc.clean and not r.ok and not r.wafer.ok
    wd = r.manifest["wafer_drc"]
    assert wd["violations"] == len(r.wafer.drc.violations) > 0 and r.manifest["ok"] is False
    report = json.loads((r.out_dir / "t.wafer.drc.json").read_text())
    assert len(report["violations"]) == wd["violations"]
