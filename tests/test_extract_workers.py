"""extract.workers: documents read in worker processes under memory, CPU and wall-time limits.

The hostile documents are real (tests/hostile_documents.py) and the caps lowered so each
test takes seconds; the work functions below stand in for a reader that spins or hangs.
"""
from __future__ import annotations

import os
import time

from click.testing import CliRunner

from archive_crawl import FIXTURES, SEED
from extract.workers import Limits, WorkerPool
from hostile_documents import xlsx_sheet_corners
from nianbao.cli import cli

SEED_FILE = FIXTURES / "seed-report-luoshan-2021.txt"
SMALL = Limits(memory_mb=200, cpu_seconds=2, wall_seconds=3, documents_per_worker=3)
SMALL_MEMORY = Limits(memory_mb=200)  # the XLSX takes some 4 s of CPU to reach it
SMALL_CPU = Limits(cpu_seconds=2, wall_seconds=60)  # on a busy machine CPU time accrues slower than wall time


def seed_task(name: str = "report.txt"):
    return (SEED,), {"filename": name, "source": name}


def spin(seconds: float) -> dict:
    """A reader stuck in a loop: CPU time until the limit ends it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return {"errors": []}


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


def test_a_document_over_the_memory_limit_fails_by_name_and_the_batch_goes_on():
    with WorkerPool(limits=SMALL_MEMORY) as pool:
        outcomes = list(pool.map([seed_task("a.txt"), ((xlsx_sheet_corners(),), {"filename": "corners.xlsx"}),
                                  seed_task("b.txt")]))
    (first, none1), (none2, failure), (last, none3) = outcomes
    assert none1 is none2 is none3 is None
    assert failure == {"stage": "limit", "message": "exceeded the 200 MiB memory limit per document "
                                                   "(NIANBAO_WORKER_MEMORY_MB)"}
    assert first["source"] == "a.txt" and last["source"] == "b.txt"
    assert first["figures"]["requests.new_received.total"] == last["figures"]["requests.new_received.total"] == 48
    # (The peak memory of a build's workers is measured in tests/test_archive_build_limits.py.)


def test_cpu_limit_wall_limit_and_a_crash_each_fail_by_name_and_the_worker_is_replaced():
    with WorkerPool(limits=SMALL_CPU, work=spin) as pool:
        ((_, cpu),) = pool.map([((30,), {})])
    assert cpu == {"stage": "limit", "message": "exceeded the 2 s CPU time limit per document "
                                               "(NIANBAO_WORKER_CPU_SECONDS)"}
    started = time.monotonic()
    with WorkerPool(limits=SMALL, work=hang) as pool:
        (_, wall), (answer, _) = pool.map([((60,), {}), ((0,), {})])
    assert wall == {"stage": "limit", "message": "exceeded the 3 s wall time limit per document "
                                                "(NIANBAO_WORKER_WALL_SECONDS)"}
    assert answer == {"errors": []} and time.monotonic() - started < 10
    with WorkerPool(limits=SMALL, work=crash) as pool:
        ((_, died),) = pool.map([((), {})])
    assert died["stage"] == "limit" and "died (signal SIGABRT)" in died["message"]


def test_a_reader_that_raises_is_that_documents_error_and_the_worker_goes_on():
    with WorkerPool(limits=SMALL, work=buggy) as pool:
        (before, _), (_, bug), (after, _) = pool.map([((False,), {}), ((True,), {}), ((False,), {})])
    assert bug == {"stage": "extract", "message": "unexpected ValueError: a bug"}
    assert before["pid"] == after["pid"]


def test_nianbao_extract_reads_in_the_pool_and_names_the_limit(tmp_path):
    corners = tmp_path / "corners.xlsx"
    corners.write_bytes(xlsx_sheet_corners())
    result = CliRunner().invoke(cli, ["extract", str(corners), str(SEED_FILE)],
                                env={"NIANBAO_WORKER_MEMORY_MB": "200"})
    assert result.exit_code == 1, result.output  # one of two failed
    assert ("error [limit]: exceeded the 200 MiB memory limit per document (NIANBAO_WORKER_MEMORY_MB)"
            in result.output)
    assert "200/200 figures" in result.output


def test_workers_are_recycled_and_results_come_in_input_order_with_several_jobs():
    with WorkerPool(jobs=2, limits=SMALL, work=pid) as pool:
        pids = [record["pid"] for record, _ in pool.map(((), {}) for _ in range(12))]
    assert os.getpid() not in pids
    # 12 documents, at most 3 per worker: at least 4 workers, each used at most 3 times.
    assert len(set(pids)) >= 4 and max(map(pids.count, pids)) <= 3
    with WorkerPool(jobs=2, limits=SMALL, work=hang) as pool:
        # The slow first task does not let the quick second one overtake it.
        assert [record for record, _ in pool.map([((1,), {}), ((0,), {})])] == [{"errors": []}] * 2


def test_limits_come_from_the_environment():
    limits = Limits.from_environment({"NIANBAO_WORKER_MEMORY_MB": "512", "NIANBAO_WORKER_WALL_SECONDS": "60"})
    assert limits == Limits(memory_mb=512, cpu_seconds=180, wall_seconds=60, documents_per_worker=100)
    assert Limits.from_environment({}) == Limits()
