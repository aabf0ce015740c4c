"""What the assistant-chat tests share."""

from __future__ import annotations

from chat_widget.assistant.chat import AssistantChat, TurnOutcome


async def ask_lost_card(
    chat: AssistantChat, customer_id: str, conversation_id: str | None = None
) -> TurnOutcome:
    """The same question each time (one client message id: a second call is a resend)."""
    return await chat.ask(
        customer_id=customer_id,
        conversation_id=conversation_id,
        text="I lost my card",
        client_msg_id="c1",
        locale="en",
        live_chat_open=True,
    )
