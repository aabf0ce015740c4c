"""Customers' chat messages on SQLite: one writer thread stores what queued in one transaction.

SQLite has one write lock per database. With every send in its own transaction, 100 sends a
second meant 100 pool threads taking turns at that lock (and at Python's GIL), each with its
own session, commit and wake-up of the event loop; under load most of a send's time was
waiting for the lock or for the fsync (``bench/chat_load.py --sample``). Here a send is
queued; one thread takes everything that queued meanwhile, screens and stores it in one
transaction (the same statements as ``post_customer_message``: ownership, gap-free seq,
idempotent on the client message id), commits once (one group fsync,
``adapters/sqlite_group_commit.py``) and answers all senders with one wake-up of their event
loop. A message is still acknowledged only once it is on disk.

One message's error (not the customer's chat, chat ended, empty) is that message's answer
only: ``stage_customer_message`` leaves the transaction as it found it. A database error fails
the batch's transaction; then each message is stored alone, so one bad row costs only itself
(a message whose first commit did land is found again by its client id: no duplicate).

PostgreSQL keeps one transaction per send: its row locks let concurrent sends to different
conversations proceed side by side, and it groups concurrent commits' WAL flushes itself.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from chat_widget.adapters.db import session_scope
from chat_widget.conversations.sqlite_append import CustomerAppend
from chat_widget.domain.models import Message
from chat_widget.guard import engine as guard
from chat_widget.live_chat.errors import LiveChatError
from chat_widget.live_chat.messaging import stage_customer_message, stage_customer_message_on
from chat_widget.observability import metrics

log = logging.getLogger(__name__)

#: At most this many messages share a transaction (bounds the time the write lock is held).
MAX_BATCH = 200


@dataclass(frozen=True)
class Queued:
    """One customer's message waiting for the writer, and where to answer."""

    customer_id: str
    conversation_id: str
    client_msg_id: str
    text: str
    locale: str
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[tuple[Message | None, list[str]]] = field(compare=False)


Outcome = tuple[Message | None, list[str]] | BaseException


class Answer(asyncio.Future[tuple[Message | None, list[str]]]):
    """The writer's answer to one send. The writer also wakes ``waiter`` (``settled_within``)
    in the same callback that settles it, so a sender that waits with a timeout resumes one
    loop turn after the answer: ``asyncio.wait`` hears of it through a done callback, one
    turn later, and under load every turn waits behind all the other ready callbacks."""

    waiter: asyncio.Future[None] | None = None


async def settled_within(answer: asyncio.Future[Any], timeout: float) -> bool:
    """Whether ``answer`` settled within ``timeout`` seconds (it goes on either way)."""
    if answer.done():
        return True
    if not isinstance(answer, Answer):  # a task (PostgreSQL's send): asyncio's own wait
        done, _ = await asyncio.wait({answer}, timeout=timeout)
        return bool(done)
    loop = asyncio.get_running_loop()
    waiter = answer.waiter = loop.create_future()
    timer = loop.call_later(timeout, _wake, waiter)
    try:
        await waiter
    finally:
        timer.cancel()
        answer.waiter = None
    return answer.done()


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class CustomerSends:
    """The process's writer for customers' messages (one thread, started on first use)."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        # The DB-API path is SQLite's (where this writer runs in production); other
        # databases store a batch through the ORM.
        self._append = CustomerAppend(engine.dialect) if engine.dialect.name == "sqlite" else None
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Queued] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # for tests and the bench: transactions committed

    def submit(
        self, *, customer_id: str, conversation_id: str, client_msg_id: str, text: str, locale: str
    ) -> asyncio.Future[tuple[Message | None, list[str]]]:
        """A future that settles with ``(stored message, [])`` once the message is durable,
        or ``(None, blocked kinds)`` when the guard blocked it; it raises what
        ``post_customer_message`` raises. The writer's own future, not a task around it: a
        task per send was measurable under load, and the caller waits on it with a timeout."""
        self._ensure_thread()
        loop = asyncio.get_running_loop()
        answer = Answer(loop=loop)
        self._queue.put(
            Queued(customer_id, conversation_id, client_msg_id, text, locale, loop, answer)
        )
        return answer

    def _ensure_thread(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():  # the common case takes no lock
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="cw-customer-sends", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]  # no timeout: timed waits hang under libfaketime
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                outcomes = self.store(batch)
            except BaseException as exc:  # never leave a sender waiting
                log.exception("customer sends failed")
                outcomes = [exc] * len(batch)
            _answer(batch, outcomes)

    def store(self, batch: list[Queued]) -> list[Outcome]:
        """Screen and store ``batch`` in one transaction; each message's outcome, in order."""
        # Screened before the transaction: the write lock is held only for the statements.
        screened = [guard.screen(q.text, q.locale) for q in batch]
        try:
            staged = self._store_batch(batch, screened)
            self.batches += 1
        except Exception:
            log.warning(
                "a batch of %d messages failed; storing them one by one", len(batch), exc_info=True
            )
            staged = [self._store_alone(q, s) for q, s in zip(batch, screened, strict=True)]
        outcomes: list[Outcome] = []
        for outcome in staged:
            if isinstance(outcome, Staged):
                if outcome.message is not None:
                    metrics.chat_message("customer", created=outcome.created)
                outcomes.append((outcome.message, outcome.blocked))
            else:
                outcomes.append(outcome)
        return outcomes

    def _store_batch(
        self, batch: list[Queued], screened: list[tuple[str | None, list[str]]]
    ) -> list[Staged | Exception]:
        if self._append is None:
            with Session(self._engine, expire_on_commit=False) as session:
                staged = [
                    _stage_in_session(session, q, s) for q, s in zip(batch, screened, strict=True)
                ]
                session.commit()
            return staged
        # SQLite: the pool's connection without a Session around it (``sqlite_append``): the
        # same statements, write lock and group fsync as the ORM path, a third of its CPU.
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            staged = [
                _stage(self._append, cursor, q, s) for q, s in zip(batch, screened, strict=True)
            ]
            connection.commit()
        finally:
            connection.close()  # back to the pool, which rolls back what was not committed
        return staged

    def _store_alone(self, q: Queued, screened: tuple[str | None, list[str]]) -> Staged | Exception:
        try:
            with session_scope(self._engine) as session:
                outcome = _stage_in_session(session, q, screened)
                if isinstance(outcome, Exception):
                    raise outcome
                return outcome
        except Exception as exc:
            return exc


@dataclass(frozen=True)
class Staged:
    message: Message | None
    blocked: list[str]
    created: bool = False


def _stage(
    append: CustomerAppend, cursor: Any, q: Queued, screened: tuple[str | None, list[str]]
) -> Staged | Exception:
    """Store one message in the batch's open transaction (the DB-API cursor)."""
    return _staged(
        screened,
        lambda body: stage_customer_message_on(
            append,
            cursor,
            customer_id=q.customer_id,
            conversation_id=q.conversation_id,
            client_msg_id=q.client_msg_id,
            body=body,
        ),
    )


def _stage_in_session(
    session: Session, q: Queued, screened: tuple[str | None, list[str]]
) -> Staged | Exception:
    """``_stage`` through the ORM: a message stored alone after its batch failed."""
    return _staged(
        screened,
        lambda body: stage_customer_message(
            session=session,
            customer_id=q.customer_id,
            conversation_id=q.conversation_id,
            client_msg_id=q.client_msg_id,
            body=body,
        ),
    )


def _staged(
    screened: tuple[str | None, list[str]], store: Callable[[str], tuple[Message, bool]]
) -> Staged | Exception:
    """A screened message stored by ``store``; an expected refusal is its outcome. A
    database error propagates: it spoils the whole transaction."""
    stored, blocked = screened
    if stored is None:
        return Staged(None, blocked)
    try:
        message, created = store(stored)
    except (LiveChatError, ValueError) as exc:
        return exc
    return Staged(message, [], created)


def _answer(batch: list[Queued], outcomes: list[Outcome]) -> None:
    """One wake-up per event loop for the whole batch, not one per message."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Queued, Outcome]]] = {}
    for q, outcome in zip(batch, outcomes, strict=True):
        by_loop.setdefault(q.loop, []).append((q, outcome))
    for loop, answers in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle(answers))
        except RuntimeError:  # that loop is closed: nobody is waiting any more
            pass


def _settle(answers: list[tuple[Queued, Outcome]]) -> Callable[[], None]:
    def settle() -> None:
        for q, outcome in answers:
            if q.answer.done():
                continue
            if isinstance(outcome, BaseException):
                q.answer.set_exception(outcome)
            else:
                q.answer.set_result(outcome)
            if isinstance(q.answer, Answer):
                _wake(q.answer.waiter)

    return settle
