"""Group commit: a commit that returned is on disk, and concurrent commits share fsyncs."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from chat_widget.adapters.db import make_engine
from chat_widget.adapters.sqlite_group_commit import WalSync, wal_sync_for


def test_the_engine_runs_wal_with_normal_sync_and_the_group_commit_connection(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    engine.dispose()


def test_a_write_commit_waits_for_an_fsync_a_read_does_not(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    engine = make_engine(f"sqlite:///{path}")
    sync = wal_sync_for(str(path))
    assert sync is not None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    before = sync.fsyncs
    with engine.begin() as conn:
        conn.execute(text("SELECT 1")).scalar()
    assert sync.fsyncs == before
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert sync.fsyncs == before + 1
    engine.dispose()
    # What was acknowledged is in the file for a fresh, independent reader.
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_concurrent_commits_share_fsyncs_and_all_land(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    sync = wal_sync_for(str(path))
    assert sync is not None
    before = sync.fsyncs
    threads, per_thread = 6, 40

    def writer(n: int) -> None:
        for i in range(per_thread):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": n * 1000 + i})

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == threads * per_thread
    engine.dispose()
    # Writers commit while another fsyncs, so fewer fsyncs than commits served them all.
    assert 0 < sync.fsyncs - before < threads * per_thread


def test_waiters_are_released_by_one_leader_fsync(tmp_path: Path) -> None:
    wal = tmp_path / "x.db-wal"
    wal.write_bytes(b"frames")
    sync = WalSync(str(wal))
    gate = threading.Barrier(8)

    def wait() -> None:
        gate.wait()
        sync.wait_durable()

    workers = [threading.Thread(target=wait) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=10)
    assert not any(w.is_alive() for w in workers)
    assert 1 <= sync.fsyncs <= 8


def test_in_memory_databases_have_nothing_to_sync() -> None:
    assert wal_sync_for(":memory:") is None
    assert wal_sync_for("file:x?mode=memory&cache=shared") is None


def test_one_writer_at_a_time_queues_on_the_process_lock_not_sqlites_busy_sleep(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.db"
    engine = make_engine(f"sqlite:///{path}")
    sync = wal_sync_for(str(path))
    assert sync is not None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with engine.begin() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar()
        assert not sync.write_lock.locked()  # readers never queue
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert sync.write_lock.locked()  # from the first change until the commit
    assert not sync.write_lock.locked()
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE t SET x = 2"))
            raise RuntimeError("the caller fails")
    except RuntimeError:
        pass
    assert not sync.write_lock.locked()  # a rollback releases it
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalar() == 1

    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (10)"))
            first_in.set()
            time.sleep(0.3)  # a timed Event.wait never returns under libfaketime
            order.append("first commits")

    def second() -> None:
        first_in.wait(5)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (20)"))
            order.append("second writes")

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(10)
    assert order == ["first commits", "second writes"]
    engine.dispose()


def test_checkpoints_run_in_the_background_and_keep_the_log_short(tmp_path: Path) -> None:
    from chat_widget.adapters import sqlite_group_commit as gc

    path = tmp_path / "g.db"
    engine = make_engine(f"sqlite:///{path}")
    sync = wal_sync_for(str(path))
    assert sync is not None
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == (
            gc.SAFETY_AUTOCHECKPOINT_PAGES
        )
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
    for i in range(gc.CHECKPOINT_EVERY * 2 + 5):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": "y" * 2000 + str(i)})
    for _ in range(200):  # the checkpointer runs on its own thread
        if sync.checkpoints >= 1:
            break
        time.sleep(0.02)
    assert sync.checkpoints >= 1
    engine.dispose()
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM t").fetchone() == (gc.CHECKPOINT_EVERY * 2 + 5,)


def test_own_commits_are_told_from_other_processes_commits(tmp_path: Path) -> None:
    """The live-chat watch reads all watched keys only when someone else committed: the
    engine's own commits (any pooled connection, many threads) do not count; a commit by
    another connection does, also when it lands just before one of ours."""
    path = tmp_path / "g.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    sync = wal_sync_for(str(path))
    assert sync is not None
    sync.watch_others()
    assert sync.others_committed()  # nothing known yet: read once
    assert not sync.others_committed()

    def write(n: int) -> None:
        for i in range(5):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": n * 100 + i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not sync.others_committed()

    other = sqlite3.connect(path, isolation_level=None)
    other.execute("INSERT INTO t VALUES (-1)")
    assert sync.others_committed()
    assert not sync.others_committed()

    other.execute("INSERT INTO t VALUES (-2)")  # then one of ours before the watcher looks
    write(9)
    assert sync.others_committed()
    other.close()
    engine.dispose()
