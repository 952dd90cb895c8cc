"""pipeline.workers: results in input order, workers replaced after their quota, and nothing lost when one dies."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline.workers import Workers, chunk_size, exit_reason

ROOT = Path(__file__).resolve().parent.parent
FORK = mp.get_context("fork") if sys.platform.startswith("linux") else None
needs_fork = pytest.mark.skipif(FORK is None, reason="forked workers are used on Linux only")


def square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def dies_on_13(n: int) -> tuple[int, int]:
    if n == 13:
        os.kill(os.getpid(), signal.SIGKILL)
    return square_and_pid(n)


def slow_then_fast(n: int) -> tuple[int, int]:
    if n == 0:
        time.sleep(0.5)  # the first input is the last to finish: everything after it waits for the order
    return square_and_pid(n)


def answer_death(n: int, reason: str) -> tuple[str, str]:
    return ("died", reason)


@needs_fork
@pytest.mark.parametrize("n_workers,chunk", [(1, 1), (2, 3), (3, 8)])
def test_results_come_in_input_order(n_workers, chunk):
    with Workers(n_workers, slow_then_fast, answer_death, FORK, quota=10_000, chunk=chunk) as pool:
        results = list(pool.map(range(100)))
    assert [r[0] for r in results] == [n * n for n in range(100)]
    assert len({pid for _, pid in results}) == n_workers  # the work was shared
    assert os.getpid() not in {pid for _, pid in results}
    assert pool.workers == [] and pool.started == n_workers


@needs_fork
def test_a_worker_is_replaced_after_its_quota():
    with Workers(2, square_and_pid, answer_death, FORK, quota=10, chunk=5) as pool:
        results = list(pool.map(iter(range(100))))  # no length: chunks of 5 to the end
    assert [r[0] for r in results] == [n * n for n in range(100)]
    assert pool.started == 10  # 100 inputs, 10 to a process
    pids = [pid for _, pid in results]
    assert all(pids.count(pid) == 10 for pid in set(pids))


@needs_fork
def test_no_input_is_lost_when_a_worker_dies():
    """The input that kills its worker becomes the on_death answer; the inputs that were in flight with it are done
    again, alone, and answered normally; the run goes on in new workers."""
    with Workers(2, dies_on_13, answer_death, FORK, quota=10_000, chunk=4) as pool:
        results = list(pool.map(range(40)))
    assert len(results) == 40
    assert results[13] == ("died", "killed by signal SIGKILL")
    assert [r[0] for k, r in enumerate(results) if k != 13] == [n * n for n in range(40) if n != 13]
    assert pool.deaths == ["killed by signal SIGKILL"] * 2  # in its chunk, then alone
    assert pool.workers == []


@needs_fork
def test_an_empty_input_starts_no_worker():
    with Workers(2, square_and_pid, answer_death, FORK, quota=10, chunk=5) as pool:
        assert list(pool.map([])) == []
    assert pool.started == 0


def test_chunks_shrink_towards_the_end_of_a_known_length():
    assert chunk_size(None, 2, 8) == 8
    assert chunk_size(1000, 2, 8) == 8
    assert [chunk_size(left, 2, 8) for left in (64, 40, 16, 8, 7, 1)] == [8, 5, 2, 1, 1, 1]


def test_exit_reasons_read_as_words():
    assert exit_reason(-9) == "killed by signal SIGKILL"
    assert exit_reason(1) == "exit code 1"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        Workers(0, square_and_pid, answer_death, FORK or mp.get_context("spawn"), quota=10, chunk=1)


PARENT_DIES = """
import os, signal, sys, time
import multiprocessing as mp
sys.path.insert(0, sys.argv[1])
from pipeline.workers import Workers

def slow(n):
    time.sleep(0.05)
    return os.getpid()

pool = Workers(3, slow, lambda n, why: None, mp.get_context("fork"), quota=10_000, chunk=1)
seen = set()
for pid in pool.map(range(10_000)):
    seen.add(pid)
    if len(seen) == 3:
        print(" ".join(map(str, sorted(seen))), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
"""


@needs_fork
def test_workers_exit_when_the_parent_is_killed():
    """kill -9 of the run: each worker finds its pipe closed and exits (none is kept alive by a copy of another
    worker's pipe that a later fork inherited)."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(PARENT_DIES), str(ROOT)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pids = [int(p) for p in proc.stdout.split()]
    assert len(pids) == 3
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


def _running(pid: int) -> bool:
    """Alive and not a zombie (orphaned workers are reaped by init, or stay zombies in a container without one)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
