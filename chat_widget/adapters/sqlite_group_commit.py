"""Group commit for SQLite: every write is durable when ``commit()`` returns, one fsync for many.

With ``synchronous=FULL`` (SQLite's default) each commit fsyncs the write-ahead log while it
holds the database's only write lock: on this machine kind an fsync takes ~7 ms, so one
process could not commit more than ~140 transactions a second however little each did, and a
chat message waited behind every other message's fsync (bench/send_profile.py: 57-78 % of a
send was ``Connection.commit``).

Here the connection runs ``synchronous=NORMAL`` (https://sqlite.org/pragma.html#pragma_synchronous:
in WAL mode a commit writes its frames to the log without an fsync; the log is synced before
each checkpoint, so the database cannot be corrupted) and ``commit()`` then waits until the
log file has been fsynced *after* the commit completed. The first writer to wait does that
fsync for everyone who committed before it started; writers that commit meanwhile wait for the
next one. So a commit that returned is on disk (the durability of ``FULL``), the write lock is
never held during an fsync, and a burst of N commits costs about two fsyncs, not N.

Read-only transactions do not wait (Python's sqlite3 opens a transaction only before a data
change). In-memory databases have nothing to sync.

Checkpoints (copying the log back into the database, two fsyncs) run in a background thread
every ``CHECKPOINT_EVERY`` write commits (``PRAGMA wal_checkpoint(PASSIVE)``, which never
blocks a writer), not in whichever commit crossed SQLite's 1000-page threshold while every
other writer waited behind it; SQLite's own automatic checkpoint stays as a safety net at
``SAFETY_AUTOCHECKPOINT_PAGES``.

Writers of one process also queue on a Python lock before their first data change, held until
commit or rollback: SQLite's own busy handler makes a writer that finds the database locked
*sleep* (1, 2, 5, 10 … 100 ms, https://sqlite.org/c3ref/busy_timeout.html), so under load a
send waited tens of milliseconds for a lock that was free again after a fraction of one. The
lock wakes the next writer at once. Other processes still meet SQLite's busy handler.

The same lock lets the process tell its own commits from other processes' (``OwnCommits``):
``PRAGMA data_version`` on a separate connection changes when *any* other connection
committed, this process's pooled ones included, so under load the live-chat watch on other
processes' writes (``live_chat.realtime.ExternalWrites``) saw a change at every tick and read
the versions of every watched key four times a second.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

LOCK_TIMEOUT = 30.0
CHECKPOINT_EVERY = 300
SAFETY_AUTOCHECKPOINT_PAGES = 10_000
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(sql: str) -> bool:
    """The statements before which Python's sqlite3 opens a transaction implicitly."""
    return sql.lstrip()[:7].upper().startswith(_WRITES)


class OwnCommits:
    """Which changes of ``PRAGMA data_version`` this process's own commits explain.

    Called under the process's write lock: before a commit, a version other than the one
    recorded after our last commit means another process committed meanwhile (remembered);
    after it, the version is recorded. ``others_committed`` compares, under the same lock, the
    current version with the recorded one. The only change it cannot see is another process
    committing between our commit and the read right after it (microseconds): callers keep a
    slow full check for that.
    """

    def __init__(self, database: str) -> None:
        self._conn = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._seen: int | None = None
        self._others = True  # nothing known yet

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def before_commit(self) -> None:
        if self._version() != self._seen:
            self._others = True

    def after_commit(self) -> None:
        self._seen = self._version()

    def others_committed(self) -> bool:
        """True when another process may have committed since the last call."""
        current = self._version()
        others = self._others or current != self._seen
        self._seen, self._others = current, False
        return others


class WalSync:
    """Leader/follower fsync of one database's ``-wal`` file (one per database per process)."""

    def __init__(self, wal_path: str) -> None:
        self._wal_path = wal_path
        self._cond = threading.Condition()
        self._committed = 0  # tickets handed out after a commit
        self._synced = 0  # every ticket <= this is on disk
        self._syncing = False
        #: one writing transaction at a time in this process (see the module's docstring)
        self.write_lock = threading.Lock()
        self.fsyncs = 0  # for the bench and tests: how many fsyncs served the commits
        self.checkpoints = 0
        self._checkpoint_due = threading.Event()
        self._checkpointer: threading.Thread | None = None
        #: set by ``watch_others``; its hooks run under ``write_lock``
        self.own_commits: OwnCommits | None = None

    def watch_others(self) -> None:
        """Start telling this process's commits from other processes' (``others_committed``)."""
        with self.write_lock:
            if self.own_commits is None:
                self.own_commits = OwnCommits(self._wal_path.removesuffix("-wal"))

    def others_committed(self) -> bool:
        """Whether another process committed since the last call (True before ``watch_others``)."""
        with self.write_lock:
            return self.own_commits is None or self.own_commits.others_committed()

    def _count_commit(self) -> None:
        """Under ``_cond``: every CHECKPOINT_EVERY commits, wake the checkpointer."""
        if self._committed % CHECKPOINT_EVERY:
            return
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(
                target=self._checkpoint_loop, name="cw-sqlite-checkpoint", daemon=True
            )
            self._checkpointer.start()
        self._checkpoint_due.set()

    def _checkpoint_loop(self) -> None:
        database = self._wal_path.removesuffix("-wal")
        while True:
            self._checkpoint_due.wait()  # no timeout: timed waits hang under libfaketime
            self._checkpoint_due.clear()
            try:
                conn = sqlite3.connect(database, timeout=30, isolation_level=None)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                finally:
                    conn.close()
            except sqlite3.Error:  # the database is gone or busy: SQLite's safety net stays
                pass

    def wait_durable(self) -> None:
        """Return once everything this thread committed before the call is on disk."""
        with self._cond:
            self._committed += 1
            ticket = self._committed
            self._count_commit()
            while self._synced < ticket:
                if self._syncing:
                    self._cond.wait()
                    continue
                self._syncing = True
                target = self._committed
                self._cond.release()
                try:
                    self._fsync()
                finally:
                    self._cond.acquire()
                    self._syncing = False
                    self._cond.notify_all()
                self._synced = max(self._synced, target)

    def _fsync(self) -> None:
        # fsync flushes the file's dirty pages whichever descriptor wrote them. No log file:
        # the last connection checkpointed and removed it, and a checkpoint syncs the database.
        try:
            fd = os.open(self._wal_path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
            self.fsyncs += 1
        finally:
            os.close(fd)


_syncs: dict[str, WalSync] = {}
_syncs_lock = threading.Lock()


def wal_sync_for(database: str) -> WalSync | None:
    """The process's ``WalSync`` for a database file; None for in-memory databases."""
    if not database or database == ":memory:" or "mode=memory" in database:
        return None
    path = database.removeprefix("file:").split("?", 1)[0]
    path = os.path.abspath(path)
    with _syncs_lock:
        sync = _syncs.get(path)
        if sync is None:
            sync = _syncs[path] = WalSync(path + "-wal")
        return sync


class GroupCommitCursor(sqlite3.Cursor):
    """Takes the process's write lock before the statement that opens a writing transaction."""

    def execute(self, sql: str, parameters: Any = (), /) -> GroupCommitCursor:
        connection = self.connection
        if isinstance(connection, GroupCommitConnection):
            connection.before(sql)
        super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, parameters: Any, /) -> GroupCommitCursor:
        connection = self.connection
        if isinstance(connection, GroupCommitConnection):
            connection.before(sql)
        super().executemany(sql, parameters)
        return self


class GroupCommitConnection(sqlite3.Connection):
    """``sqlite3.connect(..., factory=GroupCommitConnection)``: writers queue on one lock per
    process and commits wait for the group fsync."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._wal_sync = wal_sync_for(os.fsdecode(database))
        self._changes_seen = self.total_changes
        self._holding = False

    def cursor(self, factory: Any = GroupCommitCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, parameters)

    def before(self, sql: str) -> None:
        if (
            self._wal_sync is not None
            and not self._holding
            and self.isolation_level is not None  # autocommit opens no transaction
            and not self.in_transaction
            and _is_write(sql)
        ):
            # The timeout SQLite itself would give up after (make_engine: 30 s).
            if not self._wal_sync.write_lock.acquire(timeout=LOCK_TIMEOUT):
                raise sqlite3.OperationalError("database is locked")
            self._holding = True

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            assert self._wal_sync is not None
            self._wal_sync.write_lock.release()

    def commit(self) -> None:
        wrote = self.in_transaction or self.total_changes != self._changes_seen
        # Only a commit made under the write lock is known to be ours; any other one (e.g.
        # autocommit) looks like another process's and costs the watcher one full read.
        own = self._wal_sync.own_commits if self._wal_sync is not None and self._holding else None
        try:
            if own is not None and wrote:
                own.before_commit()
            super().commit()
            if own is not None and wrote:
                own.after_commit()
        finally:
            if not self.in_transaction:
                self._release()
        self._changes_seen = self.total_changes
        if wrote and self._wal_sync is not None:
            self._wal_sync.wait_durable()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            if not self.in_transaction:
                self._release()
            self._changes_seen = self.total_changes

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
