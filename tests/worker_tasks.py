"""Work functions for tests/test_extract_workers.py, run in worker processes.

They stand in for a reader that needs much memory, spins, hangs, crashes or has a bug. They
live apart from the tests because a worker imports the module of its work function: this one
imports only what a real worker does (extract), so a worker's memory at rest is the real one,
not that of the test module's imports (sqlite-utils pulls in numpy when it is installed).
"""
from __future__ import annotations

import os
import time

from extract import extract_document
from extract.limits import MIB


def spin(seconds: float) -> dict:
    """A reader stuck in a loop: CPU time until the limit ends it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return {"errors": []}


def burn(seconds: float) -> dict:
    """A reader that works for ``seconds`` of CPU time (however busy the machine), then answers."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return {"errors": [], "pid": os.getpid()}


def hang(seconds: float) -> dict:
    """A reader waiting on something that never comes: wall time, no CPU."""
    time.sleep(seconds)
    return {"errors": []}


def pid() -> dict:
    return {"errors": [], "pid": os.getpid()}


def crash() -> dict:
    os.abort()


def buggy(fail: bool) -> dict:
    """A reader with a bug: it raises, where extract_document would record the error."""
    if fail:
        raise ValueError("a bug")
    return {"errors": [], "pid": os.getpid()}


def allocate_then_extract(data: bytes, allocate_mib: int = 0, **options) -> dict:
    """A reader that needs ``allocate_mib`` MiB for this document, then reads it."""
    held = bytearray(allocate_mib * MIB)
    return extract_document(data, **options) | {"held": len(held)}
