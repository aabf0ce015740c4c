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
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any


class WalSync:
    """Leader/follower fsync of one database's ``-wal`` file (one per database per process)."""

    def __init__(self, wal_path: str) -> None:
        self._wal_path = wal_path
        self._cond = threading.Condition()
        self._committed = 0  # tickets handed out after a commit
        self._synced = 0  # every ticket <= this is on disk
        self._syncing = False
        self.fsyncs = 0  # for the bench and tests: how many fsyncs served the commits

    def wait_durable(self) -> None:
        """Return once everything this thread committed before the call is on disk."""
        with self._cond:
            self._committed += 1
            ticket = self._committed
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


class GroupCommitConnection(sqlite3.Connection):
    """``sqlite3.connect(..., factory=GroupCommitConnection)``: commits wait for the group fsync."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._wal_sync = wal_sync_for(os.fsdecode(database))
        self._changes_seen = self.total_changes

    def commit(self) -> None:
        wrote = self.in_transaction or self.total_changes != self._changes_seen
        super().commit()
        self._changes_seen = self.total_changes
        if wrote and self._wal_sync is not None:
            self._wal_sync.wait_durable()
