"""Runs a managed upstream's command so that it dies with the Jupyter server, even one killed with SIGKILL.

``python -m esdl_lab.die_with_parent PARENT_PID PROGRAM [ARG...]`` asks Linux to SIGKILL this process when
its parent dies (``PR_SET_PDEATHSIG``, kept across ``exec``), then replaces itself with the program.
Doing this in a fresh interpreter rather than in a ``preexec_fn`` keeps the Jupyter server's fork free of
Python code, which is unsafe in a process with threads.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> int | None:
    if len(argv) < 2 or not argv[0].isdigit():
        print("usage: python -m esdl_lab.die_with_parent PARENT_PID PROGRAM [ARG...]", file=sys.stderr)
        return 2
    parent, command = int(argv[0]), argv[1:]
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            print(
                f"esdl_lab: prctl(PR_SET_PDEATHSIG) failed: {os.strerror(ctypes.get_errno())}",
                file=sys.stderr,
            )
        if os.getppid() != parent:
            # the Jupyter server died before the request to be killed with it was in place
            return 1
    try:
        os.execvp(command[0], command)
    except OSError as e:
        print(f"esdl_lab: cannot run {command[0]!r}: {e.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
