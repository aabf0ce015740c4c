"""The console's callback requests: due requests in the agent's languages, take one, mark it done.

A state of its own beside ``AgentState`` (whose live chat loop is busy enough): it follows the
queue with its own listener and asks ``AgentState`` only who the signed-in agent is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget.agents.records import Agent
from chat_widget.domain.clock import as_aware
from chat_widget.i18n import catalog, format_when
from chat_widget.live_chat import callbacks
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.ui import runtime
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.callback_state import customer_key
from chat_widget.ui.components.table import data_table
from chat_widget.ui.live_push import Liveness

A = AgentState
#: Due requests are re-read this often (and at once on a queue change on this worker): the
#: moment of opening is no event, so this is what brings them in when the bank opens.
CONSOLE_POLL_SECONDS = 5.0


@dataclass(frozen=True)
class CallbackRow:
    id: str
    requested: str
    language: str
    contact: str
    message: str
    status: str
    can_take: bool
    can_finish: bool


def _due_for(agent_id: str, session: Session) -> list[callbacks.CallbackRequest]:
    agent = session.get(Agent, agent_id)
    languages = list(agent.languages) if agent is not None else []
    from chat_widget.ui.live_status import current_schedule

    return callbacks.due_callbacks(session=session, languages=languages, hours=current_schedule())


class CallbackQueueState(rx.State):
    rows: list[CallbackRow] = []
    error: str = ""

    _gen: int = 0

    async def _agent(self) -> tuple[str, str]:
        """(agent id or '', console locale)."""
        agent = await self.get_state(AgentState)
        return (await agent._require() or ""), agent.locale

    def _fill(self, found: list[callbacks.CallbackRequest], agent_id: str, locale: str) -> None:
        texts = catalog(locale)
        rows = [
            CallbackRow(
                id=r.id,
                requested=format_when(as_aware(r.created_at), locale),
                language=r.language.upper(),
                contact=r.contact,
                message=r.message,
                status=texts[f"callback.step.{r.status}"],
                can_take=r.status == callbacks.CallbackStatus.SENT,
                can_finish=r.status == callbacks.CallbackStatus.SENT or r.agent_id == agent_id,
            )
            for r in found
        ]
        if rows != self.rows:
            self.rows = rows

    @rx.event(background=True)
    async def follow(self) -> AsyncIterator[EventSpec | None]:
        """On the console page: due requests, re-read on every queue change or poll tick (an
        opening time passing is no event, so the poll is what brings them at opening)."""
        async with self:
            self._gen += 1
            gen = self._gen
            agent_id, locale = await self._agent()
            liveness = Liveness(self.router.session.client_token)
        while agent_id and not liveness.expired():
            found = await runtime.run_db(lambda s: _due_for(agent_id, s))
            async with self:
                if gen != self._gen:
                    return
                locale = (await self.get_state(AgentState)).locale
                self._fill(found, agent_id, locale)
            await notifier.wait([QUEUE], CONSOLE_POLL_SECONDS)
        yield None

    async def _act(self, callback_id: str, done: bool) -> None:
        agent_id, locale = await self._agent()
        if not agent_id:
            return
        action = callbacks.finish_callback if done else callbacks.take_callback

        def work(s: Session) -> str:
            return action(session=s, callback_id=callback_id, agent_id=agent_id).customer_id

        try:
            customer_id = await runtime.run_db(work)
        except callbacks.CallbackNotFound:
            self.error = "agent.action_failed"
        else:
            self.error = ""
            notifier.notify(QUEUE, customer_key(customer_id))
        found = await runtime.run_db(lambda s: _due_for(agent_id, s))
        self._fill(found, agent_id, locale)

    @rx.event
    async def take(self, callback_id: str) -> None:
        await self._act(callback_id, done=False)

    @rx.event
    async def finish(self, callback_id: str) -> None:
        await self._act(callback_id, done=True)


CQ = CallbackQueueState


def callback_requests() -> rx.Component:
    """The console panel: the due callback requests as a table."""
    return rx.el.section(
        rx.el.h2(A.tr["agent.callbacks"], class_name="cw-h2", id="ag-callbacks-h"),
        rx.el.div(
            rx.cond(CQ.error != "", rx.el.p(A.tr["agent.action_failed"], class_name="cw-notice")),
            role="alert",
        ),
        data_table(
            headers=[
                A.tr["agent.callback_requested"],
                A.tr["agent.callback_language"],
                A.tr["agent.callback_contact"],
                A.tr["agent.callback_message"],
                A.tr["agent.callback_status"],
                A.tr["agent.callback_action"],
            ],
            items=CQ.rows,
            count=CQ.rows.length(),  # type: ignore[attr-defined]
            empty_text=A.tr["agent.callbacks_empty"],
            labelled_by="ag-callbacks-h",
            key=lambda r: r.id,
            row=lambda r: [
                rx.el.td(r.requested),
                rx.el.td(r.language),
                rx.el.td(r.contact),
                rx.el.td(r.message, class_name="ag-cb-message"),
                rx.el.td(r.status),
                rx.el.td(
                    rx.cond(
                        r.can_take,
                        rx.el.button(
                            A.tr["agent.callback_take"],
                            type="button",
                            on_click=CQ.take(r.id),
                            class_name="cw-chip",
                        ),
                    ),
                    rx.cond(
                        r.can_finish,
                        rx.el.button(
                            A.tr["agent.callback_done"],
                            type="button",
                            on_click=CQ.finish(r.id),
                            class_name="cw-chip",
                        ),
                    ),
                ),
            ],
        ),
        aria_labelledby="ag-callbacks-h",
        class_name="ag-panel ag-callbacks",
        on_mount=CQ.follow,
        id="ag-callbacks",
    )
