"""The bank's branding from settings: validated, and only colours ever reach the CSS."""

from __future__ import annotations

import pytest

from chat_widget.settings import SettingsError
from chat_widget.ui.branding import contrast, load_branding


def test_no_branding_keeps_the_stylesheet_defaults() -> None:
    branding = load_branding({})
    assert branding.css() == ""
    assert branding.greeting("fr") == ""
    assert branding.team == ()


def test_colours_logo_greeting_and_team_come_from_settings() -> None:
    branding = load_branding(
        {
            "CW_BRAND_COLOR": "#004B87",
            "CW_BRAND_COLOR_DARK": "#003a69",
            "CW_BRAND_ACCENT_ON_DARK": "#9cc9ff",
            "CW_BRAND_LOGO_URL": "https://cdn.bank.be/logo.svg",
            "CW_BRAND_GREETING_NL": "  Dag! Waarmee  kunnen we u helpen?  ",
            "CW_BRAND_TEAM": "Anna=https://cdn.bank.be/anna.jpg; Tom=/team/tom.jpg",
        }
    )
    assert branding.css() == (
        ":root{--cw-brand:#004b87;--cw-brand-dark:#003a69;--cw-accent-on-dark:#9cc9ff}"
    )
    assert branding.logo_url == "https://cdn.bank.be/logo.svg"
    assert branding.greeting("nl") == "Dag! Waarmee kunnen we u helpen?"
    assert branding.greeting("fr") == ""
    assert [(m.name, m.photo_url) for m in branding.team] == [
        ("Anna", "https://cdn.bank.be/anna.jpg"),
        ("Tom", "/team/tom.jpg"),
    ]


@pytest.mark.parametrize(
    "env",
    [
        {"CW_BRAND_COLOR": "red"},
        {"CW_BRAND_COLOR": "#b0003c;background:url(x)"},
        {"CW_BRAND_COLOR": "#ffcc00"},  # white header text would be unreadable on it
        {"CW_BRAND_ACCENT_ON_DARK": "#303030"},  # unreadable on the dark background
        {"CW_BRAND_LOGO_URL": "http://cdn.bank.be/logo.png"},
        {"CW_BRAND_LOGO_URL": "javascript:alert(1)"},
        {"CW_BRAND_LOGO_URL": "https://x.be/a.png)"},
        {"CW_BRAND_TEAM": "https://x.be/a.png"},
        {"CW_BRAND_GREETING_FR": "x" * 121},
    ],
)
def test_unsafe_or_unreadable_branding_is_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        load_branding(env)


def test_contrast_ratio_matches_wcag() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#b0003c", "#ffffff") >= 4.5
