"""One engine per child process, so the peak memory each reports (ru_maxrss) is its own."""

from __future__ import annotations

import multiprocessing as mp
import queue
import resource


def run_in_child(target, *args, method: str = "fork") -> dict:
    """Run target(*args, queue) in a child process and return what it put on the queue.

    Args:
        target: a function that puts one result on its last argument, a queue.
        args: its other arguments.
        method: "fork", or "spawn" for a fresh interpreter (nothing of the parent's memory).
    """
    ctx = mp.get_context(method)
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    while True:
        try:
            out = q.get(timeout=1.0)
            break
        except queue.Empty:
            if not p.is_alive() and q.empty():
                raise RuntimeError(f"{getattr(target, '__name__', target)} ended without a "
                                   f"result (exit code {p.exitcode})") from None
    p.join()
    return out


def maxrss_mb() -> float:
    """This process's peak resident memory so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
