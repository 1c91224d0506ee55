"""Peak memory of one solve, measured in a child process: shared by the probe scripts.

``status_bytes()`` reads the resident set and its high-water mark from
``/proc/self/status`` (Linux); ``reset_high_water`` sets the high-water mark
to the present resident set (after a warm-up) and returns it; ``run_in_child`` runs ``target(*args, conn)``
in a child forked from a fresh forkserver (never a fork of the caller, which
can inherit a lock held by one of its threads) and returns what the child
sent, or a sentence saying why nothing came.
"""

from __future__ import annotations

from typing import Any


def status_bytes() -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of this process, in bytes."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(val.split()[0]) * 1024
    return out


def reset_high_water() -> int:
    """Reset ``VmHWM`` to ``VmRSS`` (``/proc/self/clear_refs``) and return that resident set, in bytes."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS
    return status_bytes()["VmRSS"]


def run_in_child(target: Any, args: tuple[Any, ...], preload: list[str], timeout: float) -> Any:
    """``target(*args, conn)`` in a forkserver child with ``preload`` imported; its one message, or why none came."""
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, send))
    proc.start()
    send.close()
    try:
        got = recv.recv() if recv.poll(timeout) else f"no answer within {timeout} s"
    except EOFError:
        proc.join(5)
        got = f"the child died (exit code {proc.exitcode})"
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    return got
