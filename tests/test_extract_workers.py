"""extract.workers: documents read in worker processes under memory, CPU and wall-time limits.

The work functions (tests/worker_tasks.py) stand in for a reader that needs much memory, spins,
hangs, crashes or has a bug; the real hostile documents go through whole builds in test_archive_build_limits.py.
"""
from __future__ import annotations

import time

from click.testing import CliRunner

from archive_crawl import FIXTURES, SEED
from extract.limits import MIB, WorkerLimits
from extract.workers import WorkerPool
from nianbao.cli import cli
from test_archive_build_limits import many_page_pdf
from worker_tasks import allocate_then_extract, burn, buggy, crash, hang, pid, spin

SEED_FILE = FIXTURES / "seed-report-luoshan-2021.txt"
SMALL = WorkerLimits(memory_mb=200, cpu_seconds=2, wall_seconds=3, documents_per_worker=3)
SMALL_MEMORY = WorkerLimits(memory_mb=200)
SMALL_CPU = WorkerLimits(cpu_seconds=2, wall_seconds=60)  # on a busy machine CPU time accrues slower than wall time


def seed_task(name: str = "report.txt"):
    return (SEED,), {"filename": name, "source": name}


def test_a_document_over_the_memory_limit_fails_by_name_and_the_batch_goes_on():
    seed = {"filename": "report.txt"}
    with WorkerPool(limits=SMALL_MEMORY, work=allocate_then_extract) as pool:
        outcomes = list(pool.map([((SEED, 100), seed), ((SEED, 400), seed), ((SEED, 0), seed)]))
    (first, none1), (none2, failure), (last, none3) = outcomes
    assert none1 is none2 is none3 is None
    assert failure == {"stage": "limit", "message": "exceeded the 200 MiB memory limit per document "
                                                   "(NIANBAO_WORKER_MEMORY_MB)"}
    assert first["held"] == 100 * MIB and last["held"] == 0
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


def test_each_document_has_its_own_cpu_time_in_a_worker_that_reads_many():
    """The CPU limit is per document: three documents of 1.2 CPU seconds each, one worker, a
    2 s limit (the limit counted over the worker's life failed the second); the next that
    needs 3 s fails by name."""
    with WorkerPool(limits=SMALL_CPU, work=burn) as pool:
        outcomes = list(pool.map([((1.2,), {}), ((1.2,), {}), ((1.2,), {}), ((3,), {})]))
    answers = [record for record, failure in outcomes[:3] if failure is None]
    assert len(answers) == 3 and len({a["pid"] for a in answers}) == 1
    assert outcomes[3] == (None, {"stage": "limit", "message": "exceeded the 2 s CPU time limit per document "
                                                              "(NIANBAO_WORKER_CPU_SECONDS)"})


def test_a_reader_that_raises_is_that_documents_error_and_the_worker_goes_on():
    with WorkerPool(limits=SMALL, work=buggy) as pool:
        (before, _), (_, bug), (after, _) = pool.map([((False,), {}), ((True,), {}), ((False,), {})])
    assert bug == {"stage": "extract", "message": "unexpected ValueError: a bug"}
    assert before["pid"] == after["pid"]


def test_nianbao_extract_reads_in_the_pool_and_names_the_limit(tmp_path):
    long_pdf = tmp_path / "long.pdf"
    long_pdf.write_bytes(many_page_pdf(400))
    result = CliRunner().invoke(cli, ["extract", str(long_pdf), str(SEED_FILE)],
                                env={"NIANBAO_WORKER_CPU_SECONDS": "1"})
    assert result.exit_code == 1, result.output  # one of two failed
    assert "error [limit]: exceeded the 1 s CPU time limit per document (NIANBAO_WORKER_CPU_SECONDS)" in result.output
    assert "200/200 figures" in result.output


def test_limits_come_from_the_environment():
    limits = WorkerLimits.from_environment({"NIANBAO_WORKER_MEMORY_MB": "512", "NIANBAO_WORKER_WALL_SECONDS": "60"})
    assert limits == WorkerLimits(memory_mb=512, cpu_seconds=180, wall_seconds=60, documents_per_worker=100)
    assert WorkerLimits.from_environment({}) == WorkerLimits()


def test_a_decimal_wall_time_from_the_environment_is_read():
    assert WorkerLimits.from_environment({"NIANBAO_WORKER_WALL_SECONDS": "2.5"}).wall_seconds == 2.5
