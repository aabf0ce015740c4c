"""Sensitive-data guard: find secrets and personal numbers in a customer's message.

Two families of evidence, never bare digit patterns:

* checksums: card numbers (Luhn + issuer prefix + issuer length), Belgian national/BIS numbers
  (stdnum), IBANs (mod 97 + country structure);
* context: a trigger phrase ("code pin", "wachtwoord", "digipass", ...) near a value, where
  "near" means only filler words between them, or a copula ("est", "is", ":") right before it.

Every step is mirrored in ``guard.template.js``; change both or the parity test fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chat_widget.guard.checks import is_card_number, is_iban, is_national_number
from chat_widget.guard.rules import PREFIX_KEY, Rules, get_rules
from chat_widget.guard.text import NUM, PUNCT, WORD, Chain, chains, normalize, tokenize
from chat_widget.observability import metrics

BLOCK, MASK, ALLOW = "block", "mask", "allow"
_IBAN_HEAD = re.compile(r"[a-z]{2}[0-9]{2}")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected item; offsets index the original text (Python code points)."""

    kind: str
    start: int
    end: int
    action: str


@dataclass(frozen=True, slots=True)
class GuardResult:
    """The decision for one message: strongest action, kinds found, and where."""

    action: str
    kinds: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.action == BLOCK


@dataclass(slots=True)
class _Item:
    """A piece of a spoken/typed code: a digit chain or a digit word ("vier")."""

    first: int
    last: int
    count: int
    chain: Chain | None


class _Scan:
    """State of one scan; kept in one object so the JS port can follow it step by step."""

    def __init__(self, text: str, rules: Rules) -> None:
        self.rules = rules
        self.norm, self.index = normalize(text)
        self.tokens = tokenize(self.norm, rules)
        self.chains = chains(self.tokens, self.norm, rules)
        self.spans: list[tuple[str, int, int]] = []
        self.taken: set[int] = set()
        # One flag per character, so overlap checks stay linear on long adversarial input.
        self.claimed = bytearray(len(self.norm))

    # --- small helpers -------------------------------------------------------------------
    def add(self, kind: str, start: int, end: int) -> None:
        self.spans.append((kind, start, end))
        self.claimed[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return 1 in self.claimed[start:end]

    def newline(self, a: int, b: int) -> bool:
        """Whether a line break separates token ``a`` from the later token ``b``."""
        nl = self.rules.chars["newline"]
        return any(c in nl for c in self.norm[self.tokens[a].end : self.tokens[b].start])

    def wordchar(self, pos: int) -> bool:
        return 0 <= pos < len(self.norm) and bool(self.rules.wordchar_re.match(self.norm[pos]))

    # --- checksum families ---------------------------------------------------------------
    def ibans(self) -> None:
        norm, n = self.norm, len(self.norm)
        for m in _IBAN_HEAD.finditer(norm):
            i = m.start()
            if self.wordchar(i - 1):
                continue
            size = self.rules.iban_length.get(norm[i : i + 2].upper())
            if size is None:
                continue
            buf = [norm[i : i + 4]]
            count, j = 4, i + 4
            while count < size and j < n:
                c = norm[j]
                if c in _ALNUM:
                    buf.append(c)
                    count += 1
                    j += 1
                elif c in " \u00a0-." and j + 1 < n and norm[j + 1] in _ALNUM:
                    j += 1
                else:
                    break
            if count != size or self.wordchar(j):
                continue
            if is_iban("".join(buf).upper()):
                self.add("iban", i, j)
        for _, s, e in self.spans:
            for k, tok in enumerate(self.tokens):
                if s <= tok.start < e:
                    self.taken.add(k)

    def segments(self) -> list[list[int]]:
        """Chains split around tokens already claimed (by an IBAN)."""
        out: list[list[int]] = []
        for ch in self.chains:
            run: list[int] = []
            for g in ch.groups:
                if g in self.taken:
                    if run:
                        out.append(run)
                    run = []
                else:
                    run.append(g)
            if run:
                out.append(run)
        return out

    def checksums(self) -> None:
        r, toks = self.rules, self.tokens
        lo, hi = r.limits["card_min"], r.limits["card_max"]
        for seg in self.segments():
            used = [False] * len(seg)
            i = 0
            while i < len(seg):
                best, digits = -1, ""
                for j in range(i, len(seg)):
                    digits += toks[seg[j]].text
                    if len(digits) > hi:
                        break
                    if len(digits) >= lo and is_card_number(digits, r):
                        best = j
                if best >= 0:
                    self.claim("card_number", seg, used, i, best)
                    i = best + 1
                else:
                    i += 1
            start = toks[seg[0]].start
            if start > 0 and self.norm[start - 1] == "+":
                continue  # international phone number
            lens = [len(toks[g].text) for g in seg]
            if not any(used) and sum(lens) == 11:
                if is_national_number("".join(toks[g].text for g in seg)):
                    self.claim("national_number", seg, used, 0, len(seg) - 1)
                continue
            i = 0
            while i < len(seg):
                found = -1
                total = 0
                for j in range(i, len(seg)):
                    if used[j]:
                        break
                    total += lens[j]
                    if total > 11:
                        break
                    if total == 11 and tuple(lens[i : j + 1]) in r.nn_patterns:
                        if is_national_number("".join(toks[g].text for g in seg[i : j + 1])):
                            found = j
                        break
                if found >= 0:
                    self.claim("national_number", seg, used, i, found)
                    i = found + 1
                else:
                    i += 1

    def claim(self, kind: str, seg: list[int], used: list[bool], i: int, j: int) -> None:
        for k in range(i, j + 1):
            used[k] = True
            self.taken.add(seg[k])
        self.add(kind, self.tokens[seg[i]].start, self.tokens[seg[j]].end)

    # --- context family ------------------------------------------------------------------
    def glued(self, a: int, b: int) -> bool:
        """Words ``a`` < ``b`` form one phrase: only hyphens/apostrophes between them."""
        glue = self.rules.chars["phrase_glue"]
        if self.newline(a, b):
            return False
        return all(
            self.tokens[k].kind == PUNCT and self.tokens[k].text in glue for k in range(a + 1, b)
        )

    def triggers(self) -> list[tuple[int, int, str]]:
        r, toks = self.rules, self.tokens
        words = [k for k, t in enumerate(toks) if t.kind == WORD]
        found: list[tuple[int, int, str]] = []
        p = 0
        while p < len(words):
            first = toks[words[p]].text
            exact = r.exact_phrases.get(first)
            prefix = r.prefix_phrases.get(first[:PREFIX_KEY])
            if exact is None and prefix is None:
                p += 1
                continue
            best_len, best_kind = 0, ""
            cands = (exact or []) + (prefix or [])
            for phrase, kind in cands:
                size = len(phrase)
                if size <= best_len or p + size > len(words):
                    continue
                ok = True
                for q in range(size):
                    w = toks[words[p + q]].text
                    pat = phrase[q]
                    if pat.endswith("*"):
                        if not w.startswith(pat[:-1]):
                            ok = False
                            break
                    elif w != pat:
                        ok = False
                        break
                    if q > 0 and not self.glued(words[p + q - 1], words[p + q]):
                        ok = False
                        break
                if ok:
                    best_len, best_kind = size, kind
            if best_len == 0:
                p += 1
                continue
            a, b = words[p], words[p + best_len - 1]
            before = p > 0 and self.glued(words[p - 1], a) and toks[words[p - 1]].text in r.negators
            after_i = p + best_len
            after = (
                after_i < len(words)
                and self.glued(b, words[after_i])
                and toks[words[after_i]].text in r.negators
            )
            if not (before or after):
                found.append((a, b, best_kind))
            p += best_len
        return found

    def items(self) -> list[_Item]:
        r, toks = self.rules, self.tokens
        by_first = {ch.first: ch for ch in self.chains}
        out: list[_Item] = []
        k = 0
        while k < len(toks):
            ch = by_first.get(k)
            if ch is not None:
                if not any(g in self.taken for g in ch.groups):
                    count = sum(len(toks[g].text) for g in ch.groups)
                    out.append(_Item(ch.first, ch.last, count, ch))
                k = ch.last + 1
                continue
            if toks[k].kind == WORD and toks[k].text in r.digit_words:
                out.append(_Item(k, k, 1, None))
            k += 1
        return out

    def sequences(self) -> list[list[_Item]]:
        seps = "," + self.rules.chars["code_joiners"]
        seqs: list[list[_Item]] = []
        for it in self.items():
            if seqs:
                prev = seqs[-1][-1]
                adjacent = it.first == prev.last + 1 or (
                    it.first == prev.last + 2
                    and self.tokens[prev.last + 1].kind == PUNCT
                    and self.tokens[prev.last + 1].text in seps
                )
                if adjacent and not self.newline(prev.last, it.first):
                    seqs[-1].append(it)
                    continue
            seqs.append([it])
        return seqs

    def qualifies(self, seq: list[_Item]) -> bool:
        """A code is typed alone: not part of a date, amount, time, reference or phone."""
        r, toks, norm, n = self.rules, self.tokens, self.norm, len(self.norm)
        c = r.chars
        space_or_dash = c["code_joiners"] + " \u00a0"
        for it in seq:
            if it.chain is not None and any(
                any(ch not in space_or_dash for ch in j) for j in it.chain.joins
            ):
                return False
        head, tail = seq[0], seq[-1]
        if head.chain is not None:
            s = toks[head.first].start
            p = norm[s - 1] if s > 0 else ""
            p2 = norm[s - 2] if s > 1 else ""
            if p and p in c["bad_prev"]:
                return False
            if p and p in c["bad_prev_after_alnum"] and self.wordchar(s - 2):
                return False
            if p and p in c["bad_prev_after_digit"] and p2 in _DIGITS:
                return False
        if tail.chain is not None:
            e = toks[tail.last].end
            q = norm[e] if e < n else ""
            q2 = norm[e + 1] if e + 1 < n else ""
            if q and q in c["bad_next"]:
                return False
            if q and q in c["bad_next_before_digit"] and q2 in _DIGITS:
                return False
        nxt = tail.last + 1
        if nxt < len(toks) and toks[nxt].kind == WORD and toks[nxt].text in r.units:
            return False
        prv = head.first - 1
        return not (prv >= 0 and toks[prv].kind == WORD and toks[prv].text in r.prev_units)

    def trigger_before(self, a: int, ends: dict[int, str], weak: set[int]) -> int | None:
        """The last token of a trigger that introduces the value starting at token ``a``."""
        r, toks = self.rules, self.tokens
        words = 0
        k = a - 1
        while k >= 0:
            if k in ends:
                return k if self.gap_ok(k + 1, a, strict=k in weak) else None
            t = toks[k]
            if t.kind == NUM or (t.kind == PUNCT and t.text in r.chars["boundary"]):
                return None
            if t.kind == WORD:
                words += 1
                if words > r.limits["gap_copula"]:
                    return None
            k -= 1
        return None

    def gap_ok(self, a: int, b: int, strict: bool = False) -> bool:
        """Tokens ``a..b-1`` between a trigger and its value are harmless.

        ``strict`` (weak triggers such as "sign") allows filler words only, not a free clause
        ending in a copula ("where do I sign, the form number is 48217734" is no code) nor an
        introducer ("le lecteur numéro 123456" is the reader's serial number).
        """
        r, toks = self.rules, self.tokens
        gap = [toks[k] for k in range(a, b)]
        words = [t.text for t in gap if t.kind == WORD]
        if any(w in r.negators for w in words):
            return False
        if (
            len(words) <= r.limits["gap_direct"]
            and all(w in r.filler for w in words)
            and not (words and words[-1] in r.preps)
            # after a weak trigger, "numéro"/"number" announce a serial number, not a code
            and not (strict and any(w in r.introducers for w in words))
        ):
            return True
        if strict:
            return False
        for t in reversed(gap):
            if t.kind == PUNCT and t.text in r.chars["ignorable"]:
                continue
            if t.kind == PUNCT:
                return t.text in r.chars["assign"]
            return t.text in r.copula or t.text in r.introducers
        return False

    def trigger_after(self, b: int, starts: dict[int, str]) -> int | None:
        """The first token of a trigger that the value ending at token ``b`` is linked to."""
        r, toks = self.rules, self.tokens
        words = 0
        linked = False
        # Words that link a value to a later trigger of one kind only ("48217734 na SIGN").
        kind_linked: set[str] = set()
        k = b + 1
        while k < len(toks):
            if k in starts:
                kind = starts[k]
                if linked or not kind_linked.isdisjoint(r.kind_links.get(kind, ())):
                    return k
                return None
            t = toks[k]
            if t.kind == NUM:
                return None
            if t.kind == PUNCT:
                if t.text in r.chars["boundary"]:
                    return None
                if t.text in r.chars["assign"]:
                    linked = True
            else:
                if t.text in r.negators:
                    return None
                if t.text in r.copula or t.text in r.reverse_links:
                    linked = True
                elif t.text in r.any_kind_link:
                    kind_linked.add(t.text)
                elif t.text not in r.filler:
                    return None
                words += 1
                if words > r.limits["gap_reverse"]:
                    return None
            k += 1
        return None

    def codes(self, trigs: list[tuple[int, int, str]]) -> None:
        r, toks = self.rules, self.tokens
        ends = {b: kind for a, b, kind in trigs if kind != "password"}
        starts = {a: kind for a, b, kind in trigs if kind != "password"}
        # One common word ("sign", "reader", "réponse") is weaker evidence than a phrase.
        weak = {a for a, b, kind in trigs if a == b and toks[a].text in r.weak_triggers}
        for seq in self.sequences():
            if not self.qualifies(seq):
                continue
            count = sum(it.count for it in seq)
            start, end = toks[seq[0].first].start, toks[seq[-1].last].end
            if self.overlaps(start, end):
                continue
            before = self.trigger_before(seq[0].first, ends, weak)
            after = self.trigger_after(seq[-1].last, starts)
            for pos, kind in (
                (before, None if before is None else ends[before]),
                (after, None if after is None else starts[after]),
            ):
                if pos is None or kind is None:
                    continue
                lo, hi = r.digit_ranges[kind]
                if pos in weak:
                    lo = max(lo, r.limits["weak_digits"])
                if lo <= count <= hi:
                    self.add(kind, start, end)
                    break

    def passwords(self, trigs: list[tuple[int, int, str]]) -> None:
        for a, b, kind in trigs:
            if kind == "password":
                span = self.password_value(a, b)
                if span is not None and not self.overlaps(*span):
                    self.add("password", *span)

    def password_value(self, a: int, b: int) -> tuple[int, int] | None:
        """The value a password trigger (tokens ``a..b``) introduces, if any.

        Linked by a copula or ``:``/``=`` ("mdp c'est chaton"), typed right after the trigger
        ("pwd Tr0ub4dor&3"), or given as the result of a change ("changé en ...", "veranderd
        naar ...", "changed to ...", "auf ... geändert"): customers report new passwords that way.
        """
        r, toks = self.rules, self.tokens
        c = r.chars
        k = b + 1
        linked = False
        direct = True
        words = 0
        changed = self.changed_before(a)
        while k < len(toks):
            t = toks[k]
            if t.kind == PUNCT:
                if t.text in c["boundary"]:
                    return None
                if t.text in c["assign"]:
                    linked = True
                    k += 1
                    continue
                if t.text in c["ignorable"]:
                    k += 1
                    continue
            elif t.kind == WORD:
                if t.text in r.negators:
                    return None
                if t.text in r.copula:
                    linked = True
                    words += 1
                    k += 1
                    continue
                lead = self.lead(k) if linked else 0
                if lead:
                    # "is now ...", "est toujours ...": the value comes after the adverb.
                    words += lead
                    k += lead
                    continue
                if t.text in r.change_verbs:
                    changed = True
                elif (
                    not linked
                    and t.text in r.change_links
                    and k + 1 < len(toks)
                    and (changed or self.verb_after(k + 1))
                ):
                    return self.changed_value(k + 1)
            if linked or direct:
                span = self.password_chunk(k, linked)
                if span is not None or linked:
                    return span
                direct = False
            if t.kind == WORD:
                words += 1
                if words > r.limits["gap_copula"]:
                    return None
            k += 1
        return None

    def changed_before(self, a: int) -> bool:
        """A change verb precedes the trigger in its sentence ("I changed my password to")."""
        r, toks = self.rules, self.tokens
        words = 0
        k = a - 1
        while k >= 0:
            t = toks[k]
            if t.kind == PUNCT and t.text in r.chars["boundary"]:
                return False
            if t.kind == WORD:
                if t.text in r.change_verbs:
                    return True
                words += 1
                if words > r.limits["gap_copula"]:
                    return False
            k -= 1
        return False

    def lead(self, k: int) -> int:
        """How many words of a lead-in ("nu", "immer noch", "le suivant") start at ``k``."""
        toks = self.tokens
        for phrase in self.rules.password_lead:
            end = k + len(phrase)
            if end <= len(toks) and all(
                toks[k + q].kind == WORD and toks[k + q].text == w for q, w in enumerate(phrase)
            ):
                return len(phrase)
        return 0

    def after_chunk(self, k: int, e: int) -> int:
        """Index of the first token at or after offset ``e`` (from token ``k`` on), quotes and
        brackets skipped."""
        c, toks = self.rules.chars, self.tokens
        j = k
        while j < len(toks) and toks[j].start < e:
            j += 1
        while (
            j < len(toks)
            and toks[j].kind == PUNCT
            and toks[j].text in c["strip"]
            and toks[j].text not in c["boundary"]
            and toks[j].text != ","
        ):
            j += 1
        return j

    def verb_after(self, k: int) -> bool:
        """A change verb right after the chunk at ``k`` ("auf Schnecke12 geändert")."""
        s, e = self.chunk_bounds(k)
        if s == e:
            return False
        j = self.after_chunk(k, e)
        return (
            j < len(self.tokens)
            and self.tokens[j].kind == WORD
            and self.tokens[j].text in self.rules.change_verbs
        )

    def changed_value(self, k: int) -> tuple[int, int] | None:
        """The value after "changed to": a plain word only when it ends the clause.

        "changé en ligne" or "changed to access the app" must not count, so a word without
        digits or symbols is taken only before an end, a comma, a conjunction or the verb.
        """
        r, toks = self.rules, self.tokens
        span = self.password_chunk(k, True)
        if span is None:
            return None
        chunk = self.norm[span[0] : span[1]]
        bare = "".join(ch for ch in chunk if ch not in r.chars["apostrophes"])
        if any(ch in _DIGITS for ch in chunk) or r.punct_re.search(bare):
            return span
        j = self.after_chunk(k, span[1])
        if j >= len(toks):
            return span
        t = toks[j]
        if t.kind == PUNCT:
            return span if t.text in r.chars["boundary"] or t.text == "," else None
        if t.kind == WORD and (t.text in r.clause_words or t.text in r.change_verbs):
            return span
        return None

    def chunk_bounds(self, k: int) -> tuple[int, int]:
        """The whitespace-delimited chunk starting at token ``k``, quotes stripped."""
        r, norm = self.rules, self.norm
        c = r.chars
        s = self.tokens[k].start
        e = s
        while e < len(norm) and (self.wordchar(e) or r.punct_re.match(norm[e])):
            e += 1
        while s < e and norm[s] in c["strip"]:
            s += 1
        while e > s and norm[e - 1] in c["strip"]:
            e -= 1
        return s, e

    def password_chunk(self, k: int, linked: bool) -> tuple[int, int] | None:
        """The whitespace-delimited value starting at token ``k``, if it looks like a secret."""
        r, norm = self.rules, self.norm
        c = r.chars
        s, e = self.chunk_bounds(k)
        chunk = norm[s:e]
        if len(chunk) < r.limits["password_min"] or chunk in r.password_stop:
            return None
        if all(ch in _DIGITS for ch in chunk):
            j = k
            while j < len(self.tokens) and self.tokens[j].start < e:
                j += 1
            if (
                j < len(self.tokens)
                and self.tokens[j].kind == WORD
                and self.tokens[j].text in r.units
            ):
                return None
            return (s, e)
        # Apostrophes belong to words ("doesn't", "aujourd'hui"), not to secrets.
        bare = "".join(ch for ch in chunk if ch not in c["apostrophes"])
        if any(ch in _DIGITS for ch in chunk) or r.punct_re.search(bare):
            return (s, e)
        if not linked or self.participle(chunk):
            return None
        return (s, e)

    def participle(self, word: str) -> bool:
        r = self.rules
        if len(word) < r.participle_min_len:
            return False
        return word.endswith(r.participle_suffixes) or word.startswith(r.participle_prefixes)

    # --- result --------------------------------------------------------------------------
    def run(self) -> None:
        self.ibans()
        self.checksums()
        trigs = self.triggers()
        self.codes(trigs)
        self.passwords(trigs)

    def original(self, start: int, end: int) -> tuple[int, int]:
        if self.index is None:
            return start, end
        return self.index[start], self.index[end - 1] + 1


def _result(scan: _Scan) -> GuardResult:
    r = scan.rules
    findings = sorted(
        (Finding(kind, *scan.original(s, e), r.kinds[kind]) for kind, s, e in scan.spans),
        key=lambda f: (f.start, f.end),
    )
    kinds = sorted({f.kind for f in findings}, key=r.kind_order.__getitem__)
    actions = {r.kinds[k] for k in kinds}
    action = BLOCK if BLOCK in actions else MASK if MASK in actions else ALLOW
    return GuardResult(action=action, kinds=kinds, findings=findings)


def scan(text: str, lang: str | None = None) -> GuardResult:
    """Decide what may happen to ``text``: ``block``, ``mask`` or ``allow``.

    ``lang`` is accepted for symmetry with the UI but does not narrow detection: customers in
    Brussels mix languages within one message, so every language's words always apply.
    """
    del lang
    state = _Scan(text, get_rules())
    state.run()
    return _result(state)


def _mask_span(kind: str, span: str) -> str:
    if kind == "iban":
        alnum = [i for i, ch in enumerate(span) if ch.isalnum()]
        keep = set(alnum[:4] + alnum[-4:])
        return "".join(ch if i in keep or not ch.isalnum() else "*" for i, ch in enumerate(span))
    return "".join("*" if ch.isdigit() else ch for ch in span)


def mask(text: str, lang: str | None = None) -> str:
    """Text safe for an LLM, a log or analytics.

    Mask kinds keep their shape (``BE68 **** **** 0719``); block kinds are replaced by a
    placeholder such as ``[PIN]`` because not even their shape may be kept.
    """
    return _masked(text, scan(text, lang))


def screen(text: str, lang: str | None = None) -> tuple[str | None, list[str]]:
    """What a channel may store for a customer's or agent's text, from one scan.

    ``(None, kinds)`` when it must be refused (never stored; ``kinds`` explain why), else the
    text to store: masked where the guard says so, unchanged otherwise, with ``[]``.
    """
    result = scan(text, lang)
    if result.action == BLOCK:
        metrics.guard_blocked(result.kinds)
        return None, list(result.kinds)
    return (_masked(text, result) if result.action == MASK else text), []


def _masked(text: str, result: GuardResult) -> str:
    placeholders = get_rules().placeholders
    out: list[str] = []
    pos = 0
    for f in result.findings:
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        if f.action == BLOCK:
            out.append(placeholders[f.kind])
        else:
            out.append(_mask_span(f.kind, text[f.start : f.end]))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
