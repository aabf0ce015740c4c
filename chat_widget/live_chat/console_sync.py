"""The decisions of a console tab's push loop: what a wake-up reads, when the session is
re-checked, how long to sleep, when the open chat is marked read.

The loop itself (``ui.agent.state_listen``) only waits on the bus, reads what :func:`plan`
asks for and applies it; the rules are here, plain and unit tested with pinned times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chat_widget.live_chat.bus import RESYNC
from chat_widget.live_chat.realtime import (
    QUEUE,
    TYPING_TTL,
    CustomerMessageNote,
    ExternalWrites,
    customer_note,
    db_key,
    from_customer,
    key_base,
    typing_key,
)

#: Re-check the console session this often while a listener pushes updates without events.
REAUTH_SECONDS = 20.0
#: A session check the database could not answer (an outage) is tried again this soon.
REAUTH_RETRY_SECONDS = 2.0
#: A console listener re-reads everything this rarely when nothing woke it (safety net).
RESYNC_SECONDS = 300.0
#: Marks "the agent opened another chat": read it at once, from seq 0.
SELECTED = "*selected*"


def base_keys(agent_id: str) -> set[str]:
    """What every console listens on: the queue and the agent's own news."""
    me = f"agent:{agent_id}"
    return {QUEUE, me, db_key(QUEUE), db_key(me)}


def chat_keys(held: list[str], current: str) -> set[str]:
    """What the console listens on per chat it holds: news in it (``c``), the customer's
    side (message, read receipt), other processes' writes; typing for the open one."""
    keys = {k for c in held for k in (c, from_customer(c), db_key(c))}
    if current:
        keys |= {current, from_customer(current), db_key(current), typing_key(current, "customer")}
    return keys


def moved_for_agent(
    external: ExternalWrites | None, conversation_id: str, after: int, customer_read: int
) -> bool:
    """Did another process change the open conversation beyond what the console shows?"""
    version = external.version(conversation_id) if external is not None else None
    if not isinstance(version, tuple):
        return True
    return version[0] > after or version[3] != customer_read


@dataclass(frozen=True)
class Shown:
    """What the tab shows at the start of a pass."""

    agent_id: str
    current: str  # the open chat, "" for none
    after: int  # the last message seq shown in it
    held: list[str]
    customer_read: int = 0
    typing: bool = False  # the customer is shown typing


@dataclass(frozen=True)
class Plan:
    """What one pass reads; nothing at all means: sleep again."""

    full: bool
    queue: bool
    chats: bool
    current: bool
    typing: bool
    reauth: bool
    #: customers' new messages in held chats the tab does not show, counted without a read
    #: (``console_view.count_unread``); empty when the chats are read anyway
    unread: tuple[CustomerMessageNote, ...] = ()
    #: the customer's new messages in the open chat, shown from this process's
    #: ``recent.recent_messages`` when all are there (else the open chat is read); empty
    #: when the open chat is read anyway
    handed: tuple[CustomerMessageNote, ...] = ()

    @property
    def reads_db(self) -> bool:
        return self.queue or self.chats or self.current

    @property
    def idle(self) -> bool:
        return not (self.reads_db or self.typing or self.reauth or self.unread or self.handed)


def plan(
    dirty: set[str],
    shown: Shown,
    *,
    now: float,
    checked: float,
    last_full: float,
    external: ExternalWrites | None = None,
) -> Plan:
    """Only the parts the woken keys concern: the queue, the agent's chats, the open chat.

    A customer's message in a held chat that is not open comes with its seq and time
    (``realtime.customer_message_key``): it is counted unread from that note, not read; their
    read receipt there changes nothing the tab shows. In the open chat the note is handed
    over (``Plan.handed``): the loop shows the message this process stored, or reads the
    chat when it cannot. A key without a note reads, as before."""
    me = f"agent:{shown.agent_id}"
    current = shown.current
    full = RESYNC in dirty or now - last_full >= RESYNC_SECONDS
    held = set(shown.held)
    unread: list[CustomerMessageNote] = []
    handed: list[CustomerMessageNote] = []
    plain: set[str] = set()  # the keys to act on as they are (noted ones by their base)
    for key in dirty:
        note = customer_note(key)
        if isinstance(note, CustomerMessageNote):
            if note.conversation_id == current:
                handed.append(note)
            elif note.conversation_id in held:
                unread.append(note)
        elif note == "r" and key_base(key) != from_customer(current):
            continue
        else:
            plain.add(key_base(key))
    dirty = plain
    # The open chat's customer side (a message, a read receipt) changes nothing in the chat
    # list the open tab shows: its wait is carried on from the messages read
    # (``console_view.open_chat_wait``), it never shows an unread count.
    held_keys = chat_keys(shown.held, "") - {
        typing_key(current, "customer"),
        from_customer(current),
    }
    want_current = bool(current) and (
        full
        or bool(dirty & {current, from_customer(current), SELECTED})
        or (
            db_key(current) in dirty
            and moved_for_agent(external, current, shown.after, shown.customer_read)
        )
    )
    chats = full or bool(dirty & ({me, db_key(me)} | held_keys))
    if handed and chats:
        # The agent's chats changed in the same wake-up (a transfer, a close): the read, which
        # shows the open chat only while the agent holds it, decides; nothing is handed over.
        want_current = True
    by_seq = sorted(handed, key=lambda n: n.seq)
    return Plan(
        full=full,
        queue=full or bool(dirty & {QUEUE, db_key(QUEUE)}),
        chats=chats,
        current=want_current,
        typing=bool(current)
        and (
            want_current
            or bool(handed)  # a message sent: the customer stopped typing
            or shown.typing
            or typing_key(current, "customer") in dirty
        ),
        reauth=now - checked > REAUTH_SECONDS,
        unread=() if chats else tuple(sorted(unread, key=lambda n: (n.conversation_id, n.seq))),
        handed=() if want_current else tuple(by_seq),
    )


def read_instead(plan: Plan) -> Plan:
    """``plan`` when the handed messages are not all in this process (another worker stored
    one, a message in between was not the customer's): read the open chat, as without notes."""
    return replace(plan, current=True, typing=True, handed=())


def sleep_for(now: float, checked: float, last_full: float, typing: bool = False) -> float:
    """Until the next session re-check, resync or (while the customer is shown typing)
    the indicator's expiry, whichever is first."""
    due = min(REAUTH_SECONDS - (now - checked), RESYNC_SECONDS - (now - last_full))
    if typing:
        due = min(due, TYPING_TTL / 2)
    return max(0.05, due)


def to_mark_read(
    current: str, read_up_to: int, marked: tuple[str, int], selected: bool
) -> tuple[str, int] | None:
    """The (chat, seq) to mark read for the agent after a pass, or None: only what the open
    chat shows, once, and not when another chat was opened meanwhile."""
    if read_up_to and (current, read_up_to) != marked and not selected:
        return current, read_up_to
    return None


def recheck_soon(now: float) -> float:
    """The ``checked`` time that makes the next session check due in
    ``REAUTH_RETRY_SECONDS``: after a check the database could not answer, the console neither
    signs the agent out nor stops listening (it would freeze until a reload), and it does not
    ask the database again at every wake-up either."""
    return now - REAUTH_SECONDS + REAUTH_RETRY_SECONDS
