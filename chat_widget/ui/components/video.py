"""The video meeting view: notice and consent, topic, slot and details, confirmation."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.ui.video_state import VideoState

V = VideoState


def _error() -> rx.Component:
    return rx.el.div(
        rx.cond(
            V.form_error != "", rx.el.p(V.form_error, class_name="cw-notice", id="cw-video-error")
        ),
        role="alert",
    )


def notice_step() -> rx.Component:
    return rx.el.div(
        rx.el.h2(V.notice_title, class_name="cw-h2"),
        rx.foreach(V.notice_paragraphs, lambda p: rx.el.p(p, class_name="cw-text")),
        rx.el.p(
            rx.el.a(
                V.notice_link_label,
                rx.el.span(" ", V.tr["widget.privacy_new_tab"], class_name="cw-visually-hidden"),
                href=V.notice_link,
                target="_blank",
                rel="noopener noreferrer",
                class_name="cw-link",
            )
        ),
        rx.el.div(
            rx.el.button(
                V.notice_accept, type="button", on_click=V.decide(True), class_name="cw-send"
            ),
            rx.el.button(
                V.notice_decline, type="button", on_click=V.decide(False), class_name="cw-chip"
            ),
            class_name="cw-actions",
        ),
        class_name="cw-video-notice",
    )


def topic_step() -> rx.Component:
    return rx.el.div(
        rx.el.h2(V.tr["video.topic_legend"], class_name="cw-h2"),
        rx.el.ul(
            rx.foreach(
                V.topics,
                lambda t: rx.el.li(
                    rx.el.button(
                        t.label,
                        type="button",
                        on_click=V.choose_topic(t.value),
                        class_name="cw-channel",
                    )
                ),
            ),
            class_name="cw-channels",
        ),
        device_check(),
        my_meetings(),
    )


def _day_button(d: Any) -> rx.Component:
    return rx.el.button(
        d.short_label,
        type="button",
        aria_pressed=rx.cond(d.key == V.slot_day, "true", "false"),
        on_click=V.choose_day(d.key),
        class_name="cw-chip cw-day",
    )


def _day_times(d: Any) -> rx.Component:
    """Every day's times stay in the form (hidden when another day is shown), so a time
    picked before looking at another day is still the one sent."""
    return rx.el.fieldset(
        rx.el.legend(d.label, class_name="cw-day-legend"),
        rx.el.div(
            rx.foreach(
                d.times,
                lambda t: rx.el.label(
                    rx.el.input(type="radio", name="slot", value=t.value),
                    " ",
                    t.label,
                    class_name="cw-slot",
                ),
            ),
            class_name="cw-slots",
        ),
        class_name=rx.cond(d.key == V.slot_day, "cw-day-times", "cw-day-times cw-day-times--off"),
    )


def slot_step() -> rx.Component:
    return rx.el.form(
        rx.cond(
            V.recording_text != "",
            rx.el.div(
                rx.el.p(V.recording_text, class_name="cw-ai-notice", id="cw-recording-notice"),
                rx.el.label(
                    rx.el.input(type="checkbox", name="recording_tick", id="cw-recording-tick"),
                    " ",
                    V.tick_label,
                    class_name="cw-check",
                ),
            ),
        ),
        rx.el.fieldset(
            rx.el.legend(V.tr["video.slot_legend"], class_name="cw-h2"),
            rx.el.p(V.tz_text, class_name="cw-small"),
            rx.cond(V.loading & (V.slot_count == 0), rx.el.p(V.tr["video.loading"], role="status")),
            rx.cond(
                ~V.loading & (V.slot_count == 0) & (V.form_error == ""),
                rx.el.p(V.tr["video.no_slots"], class_name="cw-text"),
            ),
            rx.cond(
                V.slot_days.length() > 0,  # type: ignore[attr-defined]
                rx.el.div(
                    rx.foreach(V.slot_days, _day_button),
                    role="group",
                    aria_label=V.tr["video.day_strip"],
                    class_name="cw-day-strip",
                ),
            ),
            rx.foreach(V.slot_days, _day_times),
            class_name="cw-fieldset",
        ),
        rx.cond(
            V.rescheduling == "",
            rx.el.div(
                rx.el.label(V.tr["video.name_label"], html_for="cw-name", class_name="cw-label"),
                rx.el.input(
                    id="cw-name",
                    name="name",
                    type="text",
                    auto_complete="name",
                    class_name="cw-field",
                ),
                rx.el.label(V.tr["video.email_label"], html_for="cw-email", class_name="cw-label"),
                rx.el.input(
                    id="cw-email",
                    name="email",
                    type="email",
                    auto_complete="email",
                    class_name="cw-field",
                ),
                class_name="cw-form-fields",
            ),
        ),
        _error(),
        rx.el.div(
            rx.el.button(
                rx.cond(V.rescheduling != "", V.tr["video.reschedule"], V.tr["video.book"]),
                type="submit",
                class_name="cw-send",
                disabled=V.loading,
            ),
            rx.el.button(
                V.tr["video.change_topic"],
                type="button",
                on_click=V.back_to_topics,
                class_name="cw-chip",
            ),
            class_name="cw-actions",
        ),
        on_submit=V.book,
        class_name="cw-video-form",
    )


def _meeting_card(m: Any, heading: Any) -> rx.Component:
    return rx.el.div(
        heading,
        rx.el.p(m.topic, " · ", m.when, class_name="cw-text"),
        rx.el.p(m.advisor, class_name="cw-text"),
        rx.cond(
            m.join_url != "",
            rx.el.p(
                rx.el.a(
                    V.tr["video.join"],
                    rx.el.span(
                        " ", V.tr["widget.privacy_new_tab"], class_name="cw-visually-hidden"
                    ),
                    href=m.join_url,
                    target="_blank",
                    rel="noopener noreferrer",
                    class_name="cw-link",
                )
            ),
        ),
        rx.el.p(m.reminder, class_name="cw-small"),
        rx.el.div(
            rx.el.button(
                V.tr["video.ics"],
                type="button",
                on_click=V.download_ics(m.booking_id),
                class_name="cw-chip",
            ),
            rx.el.button(
                V.tr["video.reschedule"],
                type="button",
                on_click=V.reschedule(m.booking_id, m.topic_key),
                class_name="cw-chip",
            ),
            rx.el.button(
                V.tr["video.cancel"],
                type="button",
                on_click=V.cancel(m.booking_id),
                class_name="cw-chip",
            ),
            class_name="cw-actions",
        ),
        class_name="cw-card",
    )


def my_meetings() -> rx.Component:
    return rx.cond(
        V.meeting_count > 0,
        rx.el.div(
            rx.el.h2(V.tr["video.my_meetings"], class_name="cw-h2"),
            rx.foreach(V.meetings, lambda m: _meeting_card(m, rx.fragment())),
        ),
    )


def done_step() -> rx.Component:
    return rx.cond(
        V.booked,
        rx.el.div(
            _meeting_card(
                V.booked,
                rx.fragment(
                    rx.el.h2(V.done_title, class_name="cw-h2"),
                    rx.cond(
                        V.done_kind == "pending",
                        rx.el.p(V.status_text, class_name="cw-text"),
                    ),
                ),
            ),
            device_check(),
        ),
    )


def device_check() -> rx.Component:
    return rx.el.div(
        rx.el.h2(V.tr["video.device_title"], class_name="cw-h2"),
        rx.el.div(
            rx.el.button(
                V.tr["video.device_test"],
                type="button",
                on_click=V.test_devices(False),
                class_name="cw-chip",
            ),
            rx.el.button(
                V.tr["video.device_audio"],
                type="button",
                on_click=V.test_devices(True),
                class_name="cw-chip",
            ),
            rx.cond(
                V.device_on,
                rx.el.button(
                    V.tr["video.device_stop"],
                    type="button",
                    on_click=V.stop_devices,
                    class_name="cw-chip",
                ),
            ),
            class_name="cw-actions",
        ),
        rx.el.video(
            id="cw-preview",
            muted=True,
            plays_inline=True,
            aria_label=V.tr["video.preview_label"],
            class_name=rx.cond(V.device_on, "cw-preview", "cw-preview cw-preview--off"),
        ),
        rx.el.p(V.device_text, role="status", class_name="cw-small"),
        class_name="cw-device",
    )


def video_body() -> rx.Component:
    return rx.el.div(
        rx.cond(
            (V.status_text != "") & (V.step != "done"),
            rx.el.p(V.status_text, role="status", class_name="cw-notice cw-notice--ok"),
        ),
        rx.match(
            V.step,
            ("unavailable", rx.el.p(V.tr["video.unavailable"], class_name="cw-text")),
            ("declined", rx.el.p(V.declined_text, class_name="cw-text")),
            ("topic", topic_step()),
            ("slot", slot_step()),
            ("done", done_step()),
            notice_step(),
        ),
        class_name="cw-video",
    )
