"""Behaviour of the public API: findings, masking, explanations, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chat_widget.guard import explain, mask, scan, screen
from chat_widget.guard.__main__ import main
from chat_widget.guard.explain import messages_by_locale
from chat_widget.guard.rules import PREFIX_KEY, get_rules, load_json
from chat_widget.guard.text import normalize
from chat_widget.i18n import LOCALES


def test_findings_point_at_the_secret_in_the_original_text() -> None:
    text = "Père Noël: mon code pin est 4821, merci"
    result = scan(text, "fr")
    assert result.action == "block"
    assert result.blocked
    [finding] = result.findings
    assert (finding.kind, finding.action) == ("pin", "block")
    assert text[finding.start : finding.end] == "4821"


def test_mask_keeps_iban_shape_and_hides_block_kinds() -> None:
    text = "IBAN BE68 5390 0754 7034, RRN 85.07.30-033.28, pin 4821, mdp: Soleil42!"
    masked = mask(text, "fr")
    assert "BE68 **** **** 7034" in masked
    assert "**.**.**-***.**" in masked
    assert "[PIN]" in masked and "[PASSWORD]" in masked
    for secret in ("5390", "0754", "033", "4821", "Soleil42"):
        assert secret not in masked


def test_screen_refuses_blocks_and_stores_masks_as_masked() -> None:
    """The one decision every channel stores by: refuse, store masked, or store as typed."""
    assert screen("mon code pin est 4821", "fr") == (None, ["pin"])
    iban = "Virement vers BE68 5390 0754 7034 svp"
    stored, kinds = screen(iban, "fr")
    assert (stored, kinds) == (mask(iban, "fr"), [])
    assert stored is not None and "5390" not in stored
    assert screen("Ma carte est bloquée", "fr") == ("Ma carte est bloquée", [])


def test_mask_leaves_clean_text_untouched() -> None:
    text = "Bonjour, ma carte Visa est bloquée depuis le 12/05. Merci !"
    assert mask(text) == text
    assert scan(text).action == "allow"


def test_strongest_action_wins_and_kinds_follow_rule_order() -> None:
    result = scan("IBAN BE68539007547034 et code pin 1234")
    assert result.action == "block"
    assert result.kinds == ["pin", "iban"]
    assert [f.action for f in result.findings] == ["mask", "block"]


@pytest.mark.parametrize("locale", LOCALES)
def test_explain_has_every_kind_in_every_locale(locale: str) -> None:
    messages = messages_by_locale()[locale]
    assert set(messages["kinds"]) == set(get_rules().kinds)  # type: ignore[arg-type]
    text = explain(["pin", "card_number"], locale)
    kinds: dict[str, str] = messages["kinds"]  # type: ignore[assignment]
    assert kinds["pin"] in text and str(messages["intro"]) in text
    assert explain(["iban"], locale) == kinds["iban"]


def test_explain_falls_back_and_ignores_unknown() -> None:
    assert explain(["cvv"], "fr-BE") == explain(["cvv"], "fr")
    # One fallback rule for every catalog (chat_widget.i18n.translations): French.
    assert explain(["cvv"], "xx") == explain(["cvv"], "fr")
    assert explain([], "nl") == ""
    assert explain(["nope"], "nl") == ""


def test_rule_words_are_normalised() -> None:
    raw = load_json("rules.json")
    words: list[str] = []
    for by_lang in raw["triggers"].values():
        for phrases in by_lang.values():
            words += [w.rstrip("*") for p in phrases for w in p.split()]
    for key in (
        "copula",
        "introducers",
        "filler",
        "preps",
        "reverse_links",
        "negators",
        "units",
        "prev_units",
        "digit_words",
        "password_stop",
        "weak_triggers",
    ):
        words += raw[key]
    words += [w for p in raw["password_lead"] for w in p.split()]
    words += [w for ws in raw["kind_links"].values() for w in ws]
    words += [w for ws in raw["password_change"].values() for w in ws]
    bad = [w for w in words if normalize(w)[0] != w or not w or " " in w]
    assert bad == []
    stems = [
        p.split()[0] for by_lang in raw["triggers"].values() for ps in by_lang.values() for p in ps
    ]
    assert [s for s in stems if s.endswith("*") and len(s) <= PREFIX_KEY] == []


def test_iban_structures_match_stdnum() -> None:
    from stdnum import iban

    expected = {p[1]: p[3]["bban"] for p in iban._ibandb.prefixes if p[3].get("bban")}
    assert get_rules().iban_bban == expected


def test_cli_prints_one_decision_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {"text": "mijn pincode is 1234", "lang": "nl"},
        {"text": "my IBAN is BE68 5390 0754 7034", "lang": "en"},
        {"text": "+32 470 12 34 56", "lang": "fr"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n", encoding="utf-8")
    assert main(["--jsonl", str(src)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out == [
        {"action": "block", "kinds": ["pin"]},
        {"action": "mask", "kinds": ["iban"]},
        {"action": "allow", "kinds": []},
    ]


def test_long_repetitive_input_finds_every_secret() -> None:
    text = "mijn pincode is 1234, IBAN BE68 5390 0754 7034. " * 300
    result = scan(text)
    assert result.action == "block"
    assert [f.kind for f in result.findings].count("pin") == 300
    assert [f.kind for f in result.findings].count("iban") == 300
    assert "1234" not in mask(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("My password is simply Waffles", "Waffles"),
        ("het paswoord is nu Molen2024", "Molen2024"),
        ("mon mot de passe est le suivant : hirondelle", "hirondelle"),
        ("I changed my password to Pancake7 yesterday", "Pancake7"),
        ("paswoord veranderd naar Kermis2025", "Kermis2025"),
        ("mein Passwort habe ich auf Schnecke12 geändert", "Schnecke12"),
        ('password changed to "Blueberry".', "Blueberry"),
    ],
)
def test_plain_word_password_finding_is_the_value_not_the_adverb(text: str, secret: str) -> None:
    """Issue 11: the masked span is the password itself, after "now", "changed to", ..."""
    [finding] = scan(text).findings
    assert (finding.kind, text[finding.start : finding.end]) == ("password", secret)
    assert secret not in mask(text)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("I changed my password to Blueberry", ["password"]),
        ("I changed my password to access the app", []),
        ("j'ai changé mon mot de passe en ligne", []),
        ("mein Passwort auf dem Handy geht nicht", []),
        ("ik kreeg 48217734 na SIGN", ["card_reader_code"]),
        ("ik betaalde 2500 na de sms", []),
        ("SIGN 4821 7734", ["card_reader_code"]),
        ("SIGN 4821", []),
        ("le lecteur m'a donné 4821 7734", ["card_reader_code"]),
        ("le lecteur numéro 48217734", []),
    ],
)
def test_change_phrasing_and_weak_reader_words(text: str, kinds: list[str]) -> None:
    """A change verb must be there for "to/en/naar/auf" to link a value; one common reader word
    ("sign", "lecteur") needs six digits or more and filler-only words before the value."""
    assert scan(text).kinds == kinds
