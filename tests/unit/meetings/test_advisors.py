"""The advisors file every booking path reads (``meetings.advisors``): the widget, the
``meetings.check`` command and the erasure job's clean-up must resolve it the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chat_widget.meetings.advisors import SHIPPED_ADVISORS, advisors_path, load_advisors


def test_the_setting_wins_and_an_empty_one_means_the_shipped_file(tmp_path: Path) -> None:
    own = tmp_path / "advisors.json"
    assert advisors_path({"CW_ADVISORS_PATH": str(own)}) == own
    assert advisors_path({"CW_ADVISORS_PATH": ""}) == SHIPPED_ADVISORS
    assert advisors_path({}) == SHIPPED_ADVISORS


def test_an_advisor_is_read_with_topics_and_languages_as_sets(tmp_path: Path) -> None:
    path = tmp_path / "advisors.json"
    entry = {"staff_id": 7, "first_name": "An", "topics": ["loans"], "languages": ["nl", "fr"]}
    path.write_text(json.dumps({"advisors": [entry]}), encoding="utf-8")
    (advisor,) = load_advisors(path)
    assert advisor.staff_id == "7" and advisor.first_name == "An"
    assert advisor.topics == frozenset({"loans"}) and advisor.languages == {"fr", "nl"}


def test_a_file_without_the_advisors_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "advisors.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(KeyError):
        load_advisors(path)
