"""Run every acceptance check against the third-party corpus (../shared/extmat by default).

Each module listed in CHECKS has `run(extmat: pathlib.Path) -> bool`: it prints one line per
case (expected beside measured) and returns False on any difference. Exit 1 if any failed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Order: cheap checks first.
CHECKS = ["gds_roundtrip", "drc_counts", "caravel_pads", "openroad_rdl"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--extmat", default=str(HERE.parent.parent / "shared" / "extmat"))
    ap.add_argument("--only", action="append", help="run only this check (repeatable)")
    args = ap.parse_args(argv)
    extmat = Path(args.extmat).resolve()
    if not extmat.is_dir():
        print(f"error: {extmat}: corpus not found", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    failed = []
    for name in args.only or CHECKS:
        if not (HERE / f"{name}.py").exists():
            print(f"== {name}: not present")
            failed.append(name)
            continue
        print(f"== {name}")
        t0 = time.perf_counter()
        ok = importlib.import_module(name).run(extmat)
        print(f"== {name}: {'PASS' if ok else 'FAIL'} ({time.perf_counter() - t0:.1f} s)")
        if not ok:
            failed.append(name)
    if failed:
        print(f"acceptance FAILED: {', '.join(failed)}")
        return 1
    print("acceptance passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
