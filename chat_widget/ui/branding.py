"""The bank's look in the widget: colours, logo, greeting and team avatars, from settings.

Why here and not in the build: a bank changes its greeting or colours without a rebuild. The
values come from ``CW_BRAND_*`` variables (read once, validated like every other setting) and
reach the browser as CSS custom properties in a ``<style>`` text and as plain state values.
Colours are strict hex so nothing but a colour can get into the CSS; the header's white text must
keep WCAG AA contrast on the brand colour, so a colour that would break it is refused.

Variables:
- ``CW_BRAND_COLOR`` / ``CW_BRAND_COLOR_DARK``: header and buttons / links and chips (``#rrggbb``).
- ``CW_BRAND_ACCENT_ON_DARK``: links and chips in dark mode (AA on the dark background).
- ``CW_BRAND_LOGO_URL``: https:// (or a path on the widget's own site) image shown in the header.
- ``CW_BRAND_GREETING_FR`` / ``_NL`` / ``_EN`` / ``_DE``: the home view's heading.
- ``CW_BRAND_TEAM``: ``Name=https://…/photo.jpg;Name2=…`` — faces shown on the home view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from chat_widget.i18n import LOCALES
from chat_widget.settings import SettingsError, get_settings

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DARK_BACKGROUND = "#16161a"
AA_NORMAL_TEXT = 4.5
MAX_GREETING = 120
MAX_TEAM = 6


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class TeamMember:
    name: str
    photo_url: str


@dataclass(frozen=True)
class Branding:
    brand: str | None = None
    brand_dark: str | None = None
    accent_on_dark: str | None = None
    logo_url: str = ""
    greetings: Mapping[str, str] = field(default_factory=dict)
    team: tuple[TeamMember, ...] = ()

    def css(self) -> str:
        """``:root{--cw-brand:…}`` for the colours that were set (empty when none were)."""
        props = [
            (name, value)
            for name, value in (
                ("--cw-brand", self.brand),
                ("--cw-brand-dark", self.brand_dark),
                ("--cw-accent-on-dark", self.accent_on_dark),
            )
            if value
        ]
        if not props:
            return ""
        return ":root{" + ";".join(f"{name}:{value}" for name, value in props) + "}"

    def greeting(self, locale: str) -> str:
        return self.greetings.get(locale, "")


def _colour(env: Mapping[str, str], name: str, *, on: str, label: str) -> str | None:
    value = (env.get(name) or "").strip()
    if not value:
        return None
    if not _HEX.match(value):
        raise SettingsError(f"{name} must be a colour like #b0003c")
    if contrast(value, on) < AA_NORMAL_TEXT:
        raise SettingsError(
            f"{name} {value} has a contrast under {AA_NORMAL_TEXT}:1 with {label} (WCAG AA)"
        )
    return value.lower()


def _url(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if value.startswith("https://") or (value.startswith("/") and not value.startswith("//")):
        if any(c in value for c in "\"'<>() \\"):
            raise SettingsError(f"{name} has characters a URL must not have")
        return value
    raise SettingsError(f"{name} must be an https:// URL or a path on the widget's site")


def load_branding(env: Mapping[str, str]) -> Branding:
    """The branding in ``env`` (the ``CW_*`` variables), validated; defaults when unset."""
    greetings = {}
    for locale in LOCALES:
        text = " ".join((env.get(f"CW_BRAND_GREETING_{locale.upper()}") or "").split())
        if len(text) > MAX_GREETING:
            raise SettingsError(f"CW_BRAND_GREETING_{locale.upper()} is over {MAX_GREETING} chars")
        if text:
            greetings[locale] = text
    team = []
    for item in re.split(r";", env.get("CW_BRAND_TEAM") or ""):
        if not item.strip():
            continue
        name, sep, url = item.partition("=")
        if not sep or not name.strip():
            raise SettingsError("CW_BRAND_TEAM items must look like Name=https://…/photo.jpg")
        team.append(TeamMember(name.strip()[:60], _url("CW_BRAND_TEAM", url)))
    if len(team) > MAX_TEAM:
        raise SettingsError(f"CW_BRAND_TEAM has more than {MAX_TEAM} people")
    return Branding(
        brand=_colour(env, "CW_BRAND_COLOR", on="#ffffff", label="the header's white text"),
        brand_dark=_colour(env, "CW_BRAND_COLOR_DARK", on="#ffffff", label="a white background"),
        accent_on_dark=_colour(
            env, "CW_BRAND_ACCENT_ON_DARK", on=DARK_BACKGROUND, label="the dark background"
        ),
        logo_url=_url("CW_BRAND_LOGO_URL", env.get("CW_BRAND_LOGO_URL") or ""),
        greetings=greetings,
        team=tuple(team),
    )


@lru_cache(maxsize=1)
def get_branding() -> Branding:
    """The process-wide branding, read once from the settings' environment."""
    return load_branding(get_settings().extra)
