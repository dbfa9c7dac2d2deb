"""Preparing a run's files ahead of the store: in worker processes, or on one thread.

Ingestion prepares files (read, parse, validate, pseudonymise; no database) apart from
storing them, so only the ledger commit is serialised. This module holds the machinery
of that split, which knows nothing of HR files: it takes a picklable factory of
"stagers" (a callable from an item of work, a chunk of files, to its staged result, with
`close()`), makes one in each worker process and one here, and yields the results in order.
A worker that dies (or a result that cannot come back) costs nothing but time: that item is
prepared again in this process, so one bad file never stops a batch.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# Unless told how many workers to use, runs of fewer files than this are prepared on one
# thread beside the store: a spawned worker costs ~0.7 CPU-s (importing polars and DuckDB),
# about what preparing 15 demo-sized files costs, and a small run would only wait for it.
MIN_FILES_FOR_PROCESSES = 16
# ... and so are runs of fewer bytes than this. Below it, the thread that stores is the slower
# half, so worker processes would cost CPU (imports, results pickled back, each worker's own
# parse memo) and save no time. Measured (CPU-s, pending-work record left out): the demo, 349
# files, 20 MB: one thread 9.4-9.7, two workers 11-12; all of Nordland, 958 files, 57 MB:
# one thread 23.7, two workers 28.6, preparing 17 against storing plus the pending-work
# record ~21 on one thread. A national run (~8,000 files) uses every core.
MIN_BYTES_FOR_PROCESSES = 128 * 1024 * 1024


class Stager(Protocol[T_co]):
    """Prepares one item (a chunk of files); holds what preparing needs (a pseudonymiser) until closed."""

    def __call__(self, item: Any) -> T_co: ...

    def close(self) -> None: ...


_WORKER: Stager[Any] | None = None  # the stager of a worker process (set by _start_worker)


def _start_worker(make_stager: Callable[[], Stager[Any]]) -> None:
    global _WORKER
    _WORKER = make_stager()


def _stage_in_worker(item: Any) -> Any:
    assert _WORKER is not None
    return _WORKER(item)


def worker_count(files: int, workers: int | None = None, total_bytes: int | None = None) -> int:
    """Worker processes for a run of `files` files (`total_bytes` in all, when known): 0 means
    one thread in this process. `workers` None: one per usable core, for runs of
    MIN_FILES_FOR_PROCESSES files and MIN_BYTES_FOR_PROCESSES bytes or more."""
    if workers is None:
        if files < MIN_FILES_FOR_PROCESSES or (total_bytes is not None and total_bytes < MIN_BYTES_FOR_PROCESSES):
            return 0
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers <= 1 or files <= 1:
        return 0
    return min(workers, files)


class Preparers(Generic[T]):
    """Staged items (chunks of files) in order, prepared ahead of the store: by worker
    processes when the run is large enough, else by one thread."""

    def __init__(
        self, make_stager: Callable[[], Stager[T]], files: int, workers: int | None, total_bytes: int | None = None
    ) -> None:
        self.count = worker_count(files, workers, total_bytes)
        self.local = make_stager()
        self.pool: Executor
        if self.count:
            # spawn, not fork: this process has polars' and DuckDB's threads (fork is unsafe with
            # them); not forkserver either: its workers are not this process's children, so
            # their CPU would escape the benchmark's accounting (and any resource limit's)
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                self.count, mp_context=context, initializer=_start_worker, initargs=(make_stager,)
            )
        else:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hr-prepare")

    def __enter__(self) -> Preparers[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.local.close()

    def _submit(self, item: Any) -> Future:
        if self.count:
            return self.pool.submit(_stage_in_worker, item)
        return self.pool.submit(self.local, item)

    def staged(self, items: list[Any]) -> Iterator[T]:
        ahead = max(1, 2 * self.count)  # items in flight: every worker busy, memory bounded
        queue: deque[tuple[Any, Future]] = deque()
        upcoming = iter(items)
        for item in itertools.islice(upcoming, ahead):
            queue.append((item, self._submit(item)))
        while queue:
            item, future = queue.popleft()
            try:
                staged = future.result()
            except Exception as error:  # a worker died or its result could not come back
                log.warning("forberedelse i egen prosess feilet (%s); tas her", type(error).__name__)
                staged = self.local(item)
            nxt = next(upcoming, None)
            if nxt is not None:
                queue.append((nxt, self._submit(nxt)))
            yield staged
