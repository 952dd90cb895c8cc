"""Worker processes on this machine: inputs in, results out in input order, and no input lost when a worker dies.

Not multiprocessing.Pool, for two reasons. Its worker-handler thread also waits on the result queue, so every result
wakes it, and it spins until the result thread has read that result (7,752 wake-ups for 125 results, measured): it
takes the GIL and a share of the cores from the workers. And a worker that dies (killed, out of memory, a crash in a
C extension) takes its tasks with it: `imap` then waits for ever. Here the parent waits on the workers' pipes only,
with no thread of its own; a dead worker's inputs are done again one at a time in a new worker, and the input a
worker dies on alone becomes an error result (`on_death`), so the run goes on and every input still has an answer.
"""
from __future__ import annotations

import os
import signal
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator, Optional

AHEAD = 2  # chunks sent to a worker before its first answer: it never waits for the parent
WINDOW_CHUNKS = 64  # results held for the input order at most this many chunks ahead of the oldest missing one
STOP_SECONDS = 5  # a worker told to stop that has not exited by then is terminated


@dataclass
class Chunk:
    first: int  # the number of its first input, counted from 0 over the run
    items: list
    alone: bool = False  # an input tried again alone after a worker died: a death now is its own


@dataclass
class Worker:
    process: Any
    conn: Any
    sent: int = 0  # inputs sent, counted against the quota
    in_flight: deque = field(default_factory=deque)


def exit_reason(exitcode: Optional[int]) -> str:
    """What a worker's exit code says, for the error entry."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def chunk_size(left: Optional[int], workers: int, chunk: int) -> int:
    """Inputs in the next chunk: `chunk`, but near the end (`left` inputs, when known) a quarter of what is left per
    worker, down to one, so that the workers finish together instead of one waiting for the other's last chunks."""
    if left is None:
        return chunk
    return max(1, min(chunk, left // (workers * AHEAD * 2)))


def serve(conn, job: Callable[[Any], Any], init: Optional[Callable] = None, init_args: tuple = (), inherited: tuple = ()) -> None:
    """A worker's life: set up, then answer each chunk of inputs with the list of their results until told to stop.

    inherited: the parent's ends of this worker's pipe and of the other workers' pipes, which a forked worker has
    copies of. They are closed, so that when the parent dies each worker's pipe reports it (a copy held open
    elsewhere would keep it open). Their Connection objects in the copied memory are never used or finalised here:
    the worker ends with os._exit."""
    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        if init is not None:
            init(*init_args)
        while (task := conn.recv()) is not None:
            first, items = task
            conn.send((first, [job(item) for item in items]))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        pass  # the run was stopped (Ctrl-C reaches every process of the group) or the parent is gone
    finally:
        conn.close()


class Workers:
    """`n` processes started from `context` (fork: copies of this process, sharing what it has built; spawn: new
    interpreters that run `init(*init_args)` first). Each is replaced by a new one after `quota` inputs."""

    def __init__(self, n: int, job: Callable[[Any], Any], on_death: Callable[[Any, str], Any], context,
                 quota: int, chunk: int, init: Optional[Callable] = None, init_args: tuple = ()):
        if n < 1 or quota < 1 or chunk < 1:
            raise ValueError("workers, quota and chunk must be at least 1")
        self.n, self.job, self.on_death, self.context = n, job, on_death, context
        self.quota, self.chunk, self.init, self.init_args = quota, chunk, init, init_args
        self.workers: list[Worker] = []
        self.started = 0  # processes started over the run (replacements included)
        self.deaths: list[str] = []  # why workers died, in order

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close(now=exc[0] is not None)

    # ------------------------------------------------------------ processes
    def _start(self) -> Worker:
        parent_end, child_end = self.context.Pipe()
        inherited = ()
        if self.context.get_start_method() == "fork":
            inherited = (parent_end.fileno(), *(worker.conn.fileno() for worker in self.workers))
        process = self.context.Process(target=serve, args=(child_end, self.job, self.init, self.init_args, inherited), daemon=True)
        process.start()
        child_end.close()  # the worker's end lives in the worker only: its death closes the pipe
        worker = Worker(process, parent_end)
        self.workers.append(worker)
        self.started += 1
        return worker

    def _retire(self, worker: Worker) -> None:
        """A worker that has had its quota and answered everything: told to stop, and waited for."""
        self.workers.remove(worker)
        try:
            worker.conn.send(None)
        except OSError:
            pass
        worker.conn.close()
        worker.process.join(STOP_SECONDS)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join()

    def close(self, now: bool = False) -> None:
        """Stop every worker: asked to (after the last result), or terminated at once (the run failed or was stopped)."""
        for worker in list(self.workers):
            if now:
                self.workers.remove(worker)
                worker.process.terminate()
                worker.conn.close()
                worker.process.join()
            else:
                self._retire(worker)

    # ------------------------------------------------------------ the inputs
    def map(self, items: Iterable) -> Iterator:
        """The result of every item, in the order of the items.

        When the items have a length, the chunks shrink towards the end (chunk_size)."""
        total = len(items) if hasattr(items, "__len__") else None
        source = iter(items)
        staged: Optional[Chunk] = None  # the next chunk from the source, read ahead to know whether one is left
        alone: deque[Chunk] = deque()  # inputs of dead workers, to be done again one at a time
        done: dict[int, Any] = {}
        next_out = 0
        counted = 0  # inputs read from the source

        def stage() -> Optional[Chunk]:
            nonlocal staged, counted
            if staged is None:
                size = chunk_size(None if total is None else total - counted, self.n, self.chunk)
                items_ = [item for _, item in zip(range(size), source)]
                if items_:
                    staged = Chunk(counted, items_)
                    counted += len(items_)
            return staged

        while True:
            # hand out work: the inputs of dead workers first, each alone in an otherwise idle worker
            for worker in list(self.workers):
                if worker.sent >= self.quota and not worker.in_flight:
                    self._retire(worker)
            while len(self.workers) < self.n and (alone or stage() is not None):
                self._start()
            for worker in list(self.workers):
                while len(worker.in_flight) < AHEAD and worker.sent < self.quota:
                    if alone:
                        if worker.in_flight:
                            break
                        task = alone.popleft()
                    elif stage() is not None and staged.first < next_out + WINDOW_CHUNKS * self.chunk:
                        task, staged = staged, None
                    else:
                        break
                    worker.in_flight.append(task)
                    worker.sent += len(task.items)
                    try:
                        worker.conn.send((task.first, task.items))
                    except OSError:  # it died while idle: its task is tried again like any other
                        self._died(worker, alone, done)
                        break
                    if task.alone:
                        break
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            busy = {worker.conn: worker for worker in self.workers if worker.in_flight}
            if not busy:
                if alone or stage() is not None:
                    continue  # a worker is to be started or replaced first
                break
            for conn in wait(list(busy)):
                worker = busy[conn]
                try:
                    first, results = conn.recv()
                except (EOFError, OSError):
                    self._died(worker, alone, done)
                    continue
                task = worker.in_flight.popleft()
                assert first == task.first and len(results) == len(task.items), "a worker answered out of turn"
                for k, result in enumerate(results):
                    done[first + k] = result
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1

    def _died(self, worker: Worker, alone: deque, done: dict) -> None:
        """A worker's pipe closed before it answered: its inputs are tried again alone, or answered by on_death."""
        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join()
        reason = exit_reason(worker.process.exitcode)
        self.deaths.append(reason)
        for task in worker.in_flight:
            if task.alone:
                done[task.first] = self.on_death(task.items[0], reason)
            else:
                alone.extend(Chunk(task.first + k, [item], alone=True) for k, item in enumerate(task.items))
