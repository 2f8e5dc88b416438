"""The SQLite writer: one thread, one connection, every write to the file, group-committed.

SQLite has one writer at a time. Running its writes inline on the event loop (what
`_inline_sqlite.py` does for reads) puts every commit, and now and then a WAL checkpoint that
copies pages and syncs the file, on the loop that delivers events: the steady tail pays for it.
Here the writes run in a thread of their own, which also lets concurrent writes share one
transaction: whatever jobs are queued when the thread finishes a commit go into the next one
(group commit), each job under a SAVEPOINT so that one job's error undoes only its own
statements. A job's future is resolved only after its transaction committed: a caller that
publishes after `await writer.run(job)` still publishes after commit.

Writes that still go through SQLAlchemy on the loop (the rare verbs) take the writer's slot
with `exclusive()`: the thread finishes its transaction, hands the slot over and waits until
the loop's transaction is done, so SQLite never sees two writers from one process.

sqlite3 releases the GIL while SQLite works, so the loop keeps running meanwhile; with the
server on one core the thread costs no extra CPU, only a wake-up per transaction, not per job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

log = logging.getLogger("tidings.store")

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], Any]

BUSY_TIMEOUT = 5.0
MAX_BATCH = 256  # jobs in one transaction at most: bounds how long a commit keeps the others waiting


class _Barrier:
    """A loop-side writer's turn: `granted` resolves on the loop, `released` is set by it."""

    __slots__ = ("granted", "released")

    def __init__(self, granted: asyncio.Future[None]) -> None:
        self.granted = granted
        self.released = threading.Event()


_STOP = object()


def connect(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit here), with the store's pragmas."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class SqliteWriter:
    """Runs `job(connection)` functions in the writer thread, several to a transaction."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.transactions = 0
        self.jobs = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        conn = connect(self.path)  # here, so that a bad path fails the caller, not the thread
        self._thread = threading.Thread(
            target=self._serve, args=(conn,), name="tidings-sqlite-writer", daemon=True
        )
        self._thread.start()

    async def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._queue.put(_STOP)
        await asyncio.get_running_loop().run_in_executor(None, thread.join)

    async def run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run `job` in a transaction of the writer; its result once that transaction committed.
        The job runs even if the caller is cancelled meanwhile (what it wrote stays written)."""
        if self._thread is None or self._loop is None:
            raise RuntimeError("the SQLite writer is not running")
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put((job, future))
        return await future

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """The writer's slot for a write made elsewhere (SQLAlchemy on the loop): no transaction
        of the writer runs until the block is left."""
        if self._thread is None or self._loop is None:
            yield
            return
        barrier = _Barrier(self._loop.create_future())
        self._queue.put(barrier)
        try:
            await asyncio.shield(barrier.granted)
            yield
        finally:
            barrier.released.set()  # also when cancelled before the grant: the thread then goes on

    # the thread ----------------------------------------------------------------------------------

    def _serve(self, conn: sqlite3.Connection) -> None:
        try:
            pending: list[Any] = []
            while True:
                if not pending:
                    pending.append(self._queue.get())
                while len(pending) < MAX_BATCH:
                    try:
                        pending.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                jobs: list[tuple[Job, asyncio.Future[Any]]] = []
                while pending and isinstance(pending[0], tuple):
                    jobs.append(pending.pop(0))
                if jobs:
                    self._transaction(conn, jobs)
                    continue
                item = pending.pop(0)
                if item is _STOP:
                    return
                self._hand_over(item)
        finally:
            conn.close()

    def _hand_over(self, barrier: _Barrier) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_grant, barrier.granted)
        barrier.released.wait()

    def _transaction(self, conn: sqlite3.Connection, jobs: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job, future in jobs:
                conn.execute("SAVEPOINT job")
                try:
                    result = job(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((future, result, None))
            conn.execute("COMMIT")
        except Exception as exc:  # BEGIN or COMMIT failed (locked by another process, disk full)
            log.error("SQLite write transaction of %d jobs failed: %r", len(jobs), exc)
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            outcomes = [(future, None, exc) for _, future in jobs]
        self.transactions += 1
        self.jobs += len(jobs)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_settle, outcomes)


def _grant(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _settle(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in outcomes:
        if future.done():  # its caller was cancelled; the write stays
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
