"""Progress: a build reports what it is doing; the terminal line shows only on a terminal."""

from __future__ import annotations

import io

from tests.designs import ROOT
from wlpmask.build import build
from wlpmask.progress import TerminalProgress


def test_a_build_reports_each_step(tmp_path):
    seen: list[tuple[str, int, int]] = []
    build(ROOT / "layouts" / "wlcsp_3x3_paste.toml", tmp_path / "out",
          progress=lambda phase, done=0, total=0: seen.append((phase, done, total)))
    phases = [p for p, _, _ in seen]
    assert phases[0] == "loading" and "writing" in phases
    # the example has a [wafer]: stepping, the wafer DRC rule by rule, the plates
    assert phases.index("stepping") > phases.index("writing")
    assert phases[-1] == "writing plates" and "wafer DRC PI1.W" in phases
    routing = [(d, t) for p, d, t in seen if p == "routing nets"]
    assert routing and all(t == 16 and 0 <= d <= t for d, t in routing)
    assert routing[-1][0] >= 14  # counts up while the nets go down
    drc = list(dict.fromkeys(p for p in phases if p.startswith("DRC ")))
    assert drc[0] == "DRC PI1.W" and len(drc) == 16  # rule by rule, as the technology lists


class _Tty(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_the_line_shows_on_a_terminal_only():
    piped = _Tty(False)
    p = TerminalProgress(piped, delay_s=0.0)
    p("routing nets", 3, 10)
    p.close()
    assert piped.getvalue() == ""
    term = _Tty(True)
    p = TerminalProgress(term, delay_s=0.0)
    p("routing nets", 5, 10)
    assert term.getvalue() == "\rrouting nets [############............] 5/10"
    p.close()
    assert term.getvalue().endswith("\r")
    quiet = _Tty(True)
    p = TerminalProgress(quiet, delay_s=0.0, enabled=False)
    p("writing")
    assert quiet.getvalue() == ""


def test_a_short_command_prints_nothing():
    term = _Tty(True)
    p = TerminalProgress(term, delay_s=60.0)
    p("loading")
    assert term.getvalue() == ""
