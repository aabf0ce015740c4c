"""French typography for the texts of every catalog and for rendered messages."""

from __future__ import annotations

import re

_FR_BEFORE = re.compile(r"[ \u00a0\u202f]*([:;?!»])")
_FR_AFTER = re.compile(r"«[ \u00a0\u202f]*")


def french_spacing(text: str) -> str:
    """French typography: a no-break space before ":" and "»", a narrow one before ";", "?"
    and "!", so a phone never starts a line with "?". Applied once, where French text is
    loaded or rendered, so the catalogs stay easy to edit.

    Only a space that is already there is replaced (or a missing one added before ``?!;``
    after a word): ``https://``, ``10:30`` and ``!important`` are left alone."""

    def before(match: re.Match[str]) -> str:
        mark = match.group(1)
        spaced = match.group(0) != mark
        start = match.start()
        after_word = start > 0 and match.string[start - 1].isalnum()
        if not spaced and not (after_word and mark in "?!;" and _ends_sentence(match)):
            return match.group(0)
        if not spaced and mark == ";":
            return match.group(0)
        return ("\u00a0" if mark in ":»" else "\u202f") + mark

    return _FR_AFTER.sub("«\u00a0", _FR_BEFORE.sub(before, text))


def _ends_sentence(match: re.Match[str]) -> bool:
    """``?``/``!`` followed by the end, a space or a closing mark (not ``!important``)."""
    end = match.end()
    return end == len(match.string) or match.string[end] in " \n\"')»"
