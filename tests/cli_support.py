"""``nianbao`` run as a user runs it: in a fresh interpreter, its stderr a pseudo-terminal if asked."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

from tests.crawler_support import REPO


def run_nianbao(*args, terminal: bool = False, timeout: float = 120) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``nianbao ARGS``; with ``terminal``, stderr is a 120-column
    pseudo-terminal and what was drawn on it (progress redraws included) comes back as stderr."""
    command = [sys.executable, "-m", "nianbao", *map(str, args)]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=timeout)
        return done.returncode, done.stdout, done.stderr
    ours, theirs = pty.openpty()
    fcntl.ioctl(theirs, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=theirs, stdin=subprocess.DEVNULL, cwd=REPO)
    os.close(theirs)
    shown, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([ours], [], [], 0.2)[0]:
            try:
                chunk = os.read(ours, 65536)
            except OSError:  # the command closed its end
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(ours)
    stdout = process.stdout.read().decode()  # small: a summary
    return process.wait(), stdout, shown.decode(errors="replace")
