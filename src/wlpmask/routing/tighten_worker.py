"""Second process of pull-tight: pickled (setup, polylines, nets) in, polylines out.

Reads (setup, polylines, nets) pickled on stdin, tightens the nets in order and writes their
polylines pickled on stdout (see pulltight.pull_tight).
"""

from __future__ import annotations

import pickle
import sys

from .tighten import Tightener


def main() -> int:
    """Tighten the nets read from stdin and write the result to stdout; returns 0."""
    setup, polylines, nets = pickle.load(sys.stdin.buffer)
    out = Tightener(setup, polylines).run(nets)
    sys.stdout.buffer.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
