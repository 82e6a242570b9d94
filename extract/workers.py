"""Extraction in worker processes with resource limits: the backstop no document gets past.

The readers refuse hostile input early where they can (a sheet of 17 billion cells, a
zip part that expands to a gigabyte). This module is the limit for everything they do
not foresee: each document is read by ``extract_document`` in a child process whose
address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) are capped, and whose wall
time the parent enforces by killing it. A document that makes its worker run out of
memory, out of CPU time, crash or overrun the wall time comes back as a *failure* naming
the limit, e.g. ``{"stage": "limit", "message": "exceeded the 768 MiB memory limit per
document (NIANBAO_WORKER_MEMORY_MB)"}``; the dead worker is replaced and the batch goes on.

:class:`WorkerPool` is the one pool of the project: ``nianbao build`` (``archive.build``) and
``nianbao extract`` (:func:`extract_files`) use it, with ``--jobs N`` workers (default 1). :meth:`WorkerPool.map` yields
one ``(record, failure)`` per task, in input order, with at most ``2 × jobs`` documents
in flight, so memory stays bounded whatever the batch size.

Each worker is a fresh interpreter (``python -m extract.workers``), not a fork of the
parent, whose address space (a build's SQLite cache, say) would count against the cap. Each
worker reads ``documents_per_worker`` documents, then is replaced, so heap
fragmentation from one large document does not accumulate; a worker that hit its
memory limit is replaced at once. LibreOffice (``extract.convert``) runs as a child of
the worker and inherits its limits: it converts within 512 MiB of address space and
fails at 300 MiB (measured), so the default cap holds it; its own time limit
(``convert.TIMEOUT``, 120 s) is shorter than the worker's wall time, so LibreOffice is
always stopped by the conversion code, which kills its whole process group.

Pure: no database, no network. The limits are declared next to the readers' own, in
:class:`extract.limits.WorkerLimits`.
"""
from __future__ import annotations

import importlib
import json
import logging
import math
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import time
import warnings
from collections import deque
from dataclasses import asdict
from pathlib import Path
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator

from . import _empty_record, extract_document, extract_file
from .limits import MIB, WorkerLimits


# What a reader's error says when an allocation failed under RLIMIT_AS: Python's MemoryError
# (readers name the exception they caught) and libxml2's own message.
_OUT_OF_MEMORY = ("MemoryError", "Memory allocation failed")


OUT_OF_MEMORY = "out of memory"  # what a worker answers when an allocation was refused


def _out_of_memory(record: dict) -> bool:
    return any(sign in error["message"] for error in record["errors"] for sign in _OUT_OF_MEMORY)


class WorkerPool:
    """``jobs`` worker processes that run ``work`` (default ``extract_document``) under ``limits``.

    Use as a context manager (the workers are stopped on exit) and feed :meth:`map`.
    ``work`` must be a module-level function (it is imported by name in the worker) that
    returns a record dict with an ``errors`` list.
    """

    def __init__(self, jobs: int = 1, limits: WorkerLimits | None = None, work: Callable = extract_document):
        if jobs < 1:
            raise ValueError("a pool needs at least one worker")
        self.jobs, self.limits, self.work = jobs, limits or WorkerLimits.from_environment(), work
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (each finishes nothing more; none is left running)."""
        for worker in self._workers:
            worker.stop()
        self._workers.clear()

    def map(self, tasks: Iterable[tuple[tuple, dict]]) -> Iterator[tuple[dict | None, dict | None]]:
        """For each ``(args, kwargs)`` of ``work``, in input order: ``(record, None)``, or
        ``(None, failure)`` when the document took its worker past a limit (stage ``limit``)
        or ``work`` raised (stage ``extract``: a bug, which ``extract_document`` never lets out)."""
        tasks = iter(tasks)
        pending: deque[int] = deque()  # task numbers not yet yielded, in order
        done: dict[int, tuple] = {}
        submitted = 0
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.jobs and self._idle_worker():
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                self._idle_worker().start(submitted, task)
                pending.append(submitted)
                submitted += 1
            if not pending:
                return
            if pending[0] in done:
                yield done.pop(pending.popleft())
                continue
            for number, outcome in self._collect():
                done[number] = outcome

    def _idle_worker(self) -> _Worker | None:
        """An idle worker, started if fewer than ``jobs`` are alive."""
        for worker in self._workers:
            if worker.task_number is None and not worker.available():
                worker.stop()
        self._workers = [w for w in self._workers if w.task_number is not None or w.available()]
        for worker in self._workers:
            if worker.task_number is None:
                return worker
        if len(self._workers) < self.jobs:
            self._workers.append(_Worker(self.limits, self.work))
            return self._workers[-1]
        return None

    def _collect(self) -> list[tuple[int, tuple]]:
        """Wait for a busy worker to answer, die or overrun its wall time; their outcomes."""
        busy = [w for w in self._workers if w.task_number is not None]
        deadline = min(w.deadline for w in busy)
        ready = wait([w.connection for w in busy], timeout=max(deadline - time.monotonic(), 0))
        return [w.finish() for w in busy if w.connection in ready or time.monotonic() >= w.deadline]


def extract_files(paths: Iterable, jobs: int = 1, limits: WorkerLimits | None = None,
                  ocr: bool = True) -> Iterator[dict]:
    """``extract_file`` of each path, in order, read by ``jobs`` workers: a file that took its
    worker past a limit is a record holding only that failure as its error. ``ocr`` false
    leaves scans and pictures unread."""
    paths = list(paths)
    with WorkerPool(jobs, limits, work=extract_file) as pool:
        for path, (record, failure) in zip(paths, pool.map(((str(path),), {"ocr": ocr}) for path in paths)):
            if failure:
                record = _empty_record(Path(path).read_bytes(), str(path), None)
                record["errors"].append(failure)
            yield record


class _Worker:
    """One child process (``python -m extract.workers``) and the task it is reading, if any.

    A plain subprocess, not ``multiprocessing``'s ``spawn``, which re-runs the parent's main
    script in the child: a fresh interpreter that imports only ``extract``, with the
    parent's ``sys.path`` so it runs the same code. Tasks and answers go through a pipe.
    """

    def __init__(self, limits: WorkerLimits, work: Callable):
        self.limits = limits
        self.connection, child = multiprocessing.Pipe()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "extract.workers", str(child.fileno()), f"{work.__module__}:{work.__qualname__}",
             json.dumps(asdict(limits))], pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, env=environment)
        child.close()
        self.task_number: int | None = None
        self.deadline = 0.0
        self.served = 0
        self.retiring = False

    def available(self) -> bool:
        """Alive and due to read another document (it leaves after ``documents_per_worker``)."""
        return (not self.retiring and self.served < self.limits.documents_per_worker
                and self.process.poll() is None)

    def start(self, number: int, task: tuple[tuple, dict]) -> None:
        self.task_number, self.deadline = number, time.monotonic() + self.limits.wall_seconds
        self.served += 1
        try:
            self.connection.send(task)
        except OSError:
            pass  # it died before reading the task: finish() says how

    def finish(self) -> tuple[int, tuple]:
        """(task number, outcome): the worker's answer, or the failure its death or overrun means."""
        number, self.task_number = self.task_number, None
        if self.connection.poll():
            try:
                record, trouble = self.connection.recv()
                self.retiring = trouble == OUT_OF_MEMORY  # it leaves: see _serve
                return number, (record, None) if trouble is None else (None, self._failure(trouble))
            except (EOFError, OSError):
                pass  # it died: see how below
            self.stop()
            return number, (None, self._death(self.process.returncode))
        self.stop()  # no answer: over its wall time
        return number, (None, self.limits.failure("wall_seconds"))

    def _failure(self, trouble: str) -> dict:
        """The failure a worker reported: its memory limit, or what ``work`` raised (a bug)."""
        if trouble == OUT_OF_MEMORY:
            return self.limits.failure("memory_mb")
        return {"stage": "extract", "message": f"unexpected {trouble}"}

    def _death(self, exitcode: int) -> dict:
        """What a worker's exit status says about the document it was reading."""
        if exitcode == -signal.SIGXCPU:
            return self.limits.failure("cpu_seconds")
        if exitcode == -signal.SIGKILL:  # not by us: the kernel's OOM killer
            return self.limits.failure("memory_mb", ": the worker was killed by the kernel")
        if exitcode >= 0:  # 0: ``work`` raised SystemExit with a task in hand
            return {"stage": "limit", "message": f"the worker reading it exited with status {exitcode}"}
        return {"stage": "limit", "message": f"the worker reading it died (signal {signal.Signals(-exitcode).name}); "
                f"an allocation refused under the {self.limits.memory_mb} MiB memory limit per document "
                "(NIANBAO_WORKER_MEMORY_MB) ends a C library this way"}

    def stop(self) -> None:
        """End the process (at once: it holds nothing worth finishing) and reap it."""
        self.connection.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _serve(connection, limits: WorkerLimits, work: Callable) -> None:
    """The worker: apply the limits, then read documents until told to stop or recycled."""
    megabytes = limits.memory_mb * MIB
    # the soft limit until a document needs OCR, which raises it to the hard one (limits.allow_ocr_memory)
    # for the rest of this worker's documents: the models' arenas stay mapped, lowering it again would refuse them
    resource.setrlimit(resource.RLIMIT_AS, (megabytes, max(megabytes, limits.ocr_memory_mb * MIB)))
    for _ in range(limits.documents_per_worker):
        try:
            args, kwargs = connection.recv()
        except (EOFError, OSError):
            return
        _allow_cpu(limits.cpu_seconds)
        try:
            record = work(*args, **kwargs)
            trouble = OUT_OF_MEMORY if _out_of_memory(record) else None
        except MemoryError:
            trouble = OUT_OF_MEMORY
        except Exception as e:  # a bug in work: that document's error, not the worker's end
            trouble = f"{type(e).__name__}: {e}"
        connection.send((None if trouble else record, trouble))
        if trouble == OUT_OF_MEMORY:
            return  # its heap is not to be trusted after a refused allocation


def _allow_cpu(seconds: int) -> None:
    """Give the next document ``seconds`` of CPU time. ``RLIMIT_CPU`` counts the process's whole
    life, and a worker reads many documents: set once, it was shared by them all, and the
    document that crossed it (a scanned report after a few others) failed for its elders' time.
    The soft limit (SIGXCPU, which ends the worker) moves on past what the worker has used; the
    hard limit is left as it was (a process cannot raise it again), and the parent's wall-time
    kill is the backstop behind both."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime + seconds)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _main(fd: str, work_name: str, limits: str) -> None:
    # The worker's stderr is the user's terminal (or cron mail): third-party libraries' log lines
    # and warnings (pdfminer's "Could not get FontBBox…") say nothing the record does not, so go nowhere.
    logging.basicConfig(handlers=[logging.NullHandler()])
    warnings.simplefilter("ignore")
    # Ctrl-C reaches the whole process group: it is the parent's to handle (it stops every worker,
    # WorkerPool.close); here it would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    module, _, name = work_name.partition(":")
    _serve(Connection(int(fd)), WorkerLimits(**json.loads(limits)), getattr(importlib.import_module(module), name))


if __name__ == "__main__":
    _main(*sys.argv[1:])
