"""Separating the question from the greetings, thanks and fillers around it.

Real customers write "Hallo, guten Tag, ich möchte eine Lastschrift widerrufen, danke" or
"Bonjour, j'ai une question : ...". A classifier that reads the whole message lets the
greeting pull the prediction towards ``greeting`` (a German direct-debit question was
answered with a greeting). So the leading greetings/fillers and trailing thanks/sign-offs are
peeled off first, the remaining core is classified, and small talk may win only when the core
is (almost) empty.

Word lists, not a model: they are short, closed, and a wrong strip only costs a greeting word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEP = r"[\s,;:.!?…\-–—()'\"]*"

_GREETING_WORDS = [
    # fr
    r"bonjour",
    r"bonsoir",
    r"bonjours",
    r"salut",
    r"coucou",
    r"allo",
    r"allô",
    r"madame",
    r"monsieur",
    r"mesdames(?: et)? messieurs",
    r"madame,? monsieur",
    r"cher(?:e|s)? (?:madame|monsieur|conseill(?:er|ère)|client)",
    r"bonne? (?:journée|soirée|matinée)",
    # nl
    r"goedemorgen",
    r"goeiemorgen",
    r"goedemiddag",
    r"goeiemiddag",
    r"goedenavond",
    r"goeienavond",
    r"goeiedag",
    r"goedendag",
    r"dag",
    r"hallo",
    r"hoi",
    r"hey",
    r"hei",
    r"beste",
    r"geachte(?: heer of mevrouw| heer, mevrouw| heer| mevrouw)?",
    r"mevrouw",
    r"meneer",
    # de
    r"guten (?:tag|morgen|abend)",
    r"grü(?:ß|ss) gott",
    r"grü(?:ß|ss)e?(?: sie| dich)?",
    r"servus",
    r"moin",
    r"hallöchen",
    r"sehr geehrte(?:r)?(?: damen und herren| frau| herr)?",
    r"liebe(?:s|r)?(?: team| bank)?",
    r"damen und herren",
    # en
    r"hello",
    r"hi",
    r"hiya",
    r"good (?:morning|afternoon|evening|day)",
    r"dear(?: sir or madam| sir/madam| sir| madam| team)?",
    r"greetings",
    r"howdy",
    r"yo",
]
_ADDRESSEE = [
    r"there",
    r"all",
    r"everyone",
    r"team",
    r"allemaal",
    r"à tous",
    r"tout le monde",
    r"zusammen",
    r"miteinander",
    r"l'équipe",
    r"het team",
    r"das team",
]
_LEADING_FILLERS = [
    # spoken openers ("oui bonjour euh alors voilà j'aimerais…", "ja hallo also ich…")
    r"oui",
    r"ouais",
    r"alors(?: voilà)?",
    r"voilà",
    r"donc",
    r"en fait",
    r"écoutez",
    r"ben",
    r"bah",
    r"ja",
    r"jaja",
    r"also",
    r"na ja",
    r"genau",
    r"hören sie",
    r"allee",
    r"awel",
    r"kijk",
    r"zeg",
    r"nou",
    r"yes",
    r"yeah",
    r"ok(?:ay)?",
    r"well",
    r"so",
    # fr
    r"j'ai une (?:petite |autre |simple |)question",
    r"une (?:petite |)question",
    r"excusez[- ]moi(?: de vous déranger)?",
    r"désolée? de vous déranger",
    r"je me permets de vous (?:contacter|écrire)",
    # nl
    r"ik heb een (?:vraag|vraagje|kleine vraag)",
    r"een vraagje",
    r"even een vraag(?:je)?",
    r"sorry dat ik stoor",
    r"excuseer(?: mij| me)?",
    # de
    r"ich habe (?:eine|mal eine|da eine|noch eine) (?:kurze |kleine |)frage",
    r"eine (?:kurze |)frage",
    r"kurze frage",
    r"entschuldigen sie(?: die störung| bitte)?",
    # en
    r"i have a (?:quick |small |short |)question",
    r"quick question",
    r"sorry to bother you",
    r"excuse me",
]
_TRAILING = [
    # thanks
    r"merci(?: beaucoup| bien| infiniment| mille fois| d'avance| par avance| à vous"
    r"| pour (?:votre|ton) (?:aide|réponse)| de votre (?:aide|réponse))*",
    r"je vous remercie(?: d'avance| par avance| pour votre aide)?",
    r"d'avance merci",
    r"bedankt(?: alvast| voor (?:uw|je|de) hulp)?",
    r"alvast bedankt",
    r"dank(?:je| u)? ?(?:wel)?(?: alvast)?",
    r"danke(?: schön| sehr| vielmals| im voraus| für ihre hilfe)*",
    r"vielen dank(?: im voraus| für ihre hilfe)?",
    r"besten dank(?: im voraus)?",
    r"thanks?(?: you)?(?: so much| very much| a lot| in advance| for (?:your|the) help)*",
    r"many thanks",
    r"cheers",
    r"ty",
    # sign-offs
    r"cordialement",
    r"bien à vous",
    r"bonne (?:journée|soirée|fin de journée)",
    r"au revoir",
    r"à bientôt",
    r"salutations(?: distinguées)?",
    r"met vriendelijke groet(?:en)?",
    r"vriendelijke groet(?:en)?",
    r"mvg",
    r"groetjes",
    r"groeten",
    r"fijne dag(?: nog)?",
    r"tot ziens",
    r"mit freundlichen grü(?:ß|ss)en",
    r"freundliche grü(?:ß|ss)e",
    r"viele grü(?:ß|ss)e",
    r"liebe grü(?:ß|ss)e",
    r"lg",
    r"mfg",
    r"schönen tag(?: noch)?",
    r"auf wiedersehen",
    r"tschüss",
    r"tschüs",
    r"best regards",
    r"kind regards",
    r"regards",
    r"have a nice day",
    r"bye",
    r"goodbye",
    r"please",
    r"s'il vous plaît",
    r"s'il vous plait",
    r"svp",
    r"alstublieft",
    r"aub",
    r"a\.u\.b\.?",
    r"bitte",
]


def _alternation(words: list[str]) -> str:
    # Longest first, so "good morning" wins over "good" and "dank u wel" over "dank".
    return "|".join(sorted(words, key=len, reverse=True))


_LEADING = re.compile(
    rf"^{_SEP}(?:(?:{_alternation(_GREETING_WORDS)})(?:\s+(?:{_alternation(_ADDRESSEE)}))?"
    rf"|{_alternation(_LEADING_FILLERS)})(?=$|[\s,;:.!?…\-–—)])",
    re.IGNORECASE,
)
_TRAILING_RE = re.compile(
    rf"(?:^|(?<=[\s,;:.!?…\-–—(]))(?:{_alternation(_TRAILING)}){_SEP}$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")

_HESITATION = re.compile(
    r"(?<!\w)(?:euh+|heu+|hum+|äh+m?|öh+m?|ehm|uh+m?|um+|er+m|hm+|mhm)(?!\w)[,.…]*\s*",
    re.IGNORECASE,
)
"""Hesitation sounds that speech-to-text writes down; they carry no meaning anywhere."""
_REPEAT = re.compile(
    r"(?<!\w)((?:\w[\w'’-]*)(?:\s+\w[\w'’-]*){0,3})(?:[\s,]+\1)+(?!\w)", re.IGNORECASE
)
"""A word or a run of up to four words said again right away ("je je voudrais", "ich wollte
wissen ich wollte wissen"): a false start, kept once."""


def _fluent(text: str) -> str:
    """The message without hesitations and immediate repeats, spacing normalised."""
    text = _HESITATION.sub(" ", text)
    text = _REPEAT.sub(r"\1", text)
    return " ".join(text.split())


MAX_SMALL_TALK_CORE_WORDS = 12
"""Up to this many words left over ("das hat mir sehr geholfen", "ik ben het nog eens"), the
rest may itself be small talk and the classifier decides; beyond, the message carries a
question and small talk is never its answer."""


@dataclass(frozen=True)
class Segments:
    """A message cut into what surrounds the question and the question itself."""

    leading: str
    core: str
    trailing: str

    @property
    def core_words(self) -> int:
        return len(_WORD.findall(self.core))

    @property
    def has_question(self) -> bool:
        """True when the core is long enough that small talk must not answer it."""
        return self.core_words > MAX_SMALL_TALK_CORE_WORDS


def segment(text: str) -> Segments:
    """Peel leading greetings/fillers and trailing thanks/sign-offs off ``text``.

    Repeats until nothing more comes off ("Hallo, guten Tag, ..." loses both greetings).
    Spoken-style hesitations ("euh", "äh") and false starts ("je je", "ich wollte wissen ich
    wollte wissen") go first, wherever they are: transcripts of real calls are full of them,
    and a repeated phrase otherwise weighs twice in the TF-IDF classifier.
    """
    core = _fluent(text)
    leading: list[str] = []
    trailing: list[str] = []
    for _ in range(8):
        match = _LEADING.match(core)
        if not match or not match.group(0).strip():
            break
        leading.append(match.group(0).strip())
        core = core[match.end() :].lstrip(" ,;:.!?…-–—")
    for _ in range(8):
        match = _TRAILING_RE.search(core)
        if not match or not match.group(0).strip():
            break
        trailing.insert(0, match.group(0).strip())
        core = core[: match.start()].rstrip(" ,;:-–—")
    # A question that was only "thanks" at the start ("Merci, et pour ma carte ?") keeps its
    # tail; a leading thanks/sign-off is peeled like a greeting.
    for _ in range(4):
        match = re.match(rf"^(?:{_alternation(_TRAILING)})(?=$|[\s,;:.!?…])", core, re.IGNORECASE)
        if not match:
            break
        leading.append(match.group(0).strip())
        core = core[match.end() :].lstrip(" ,;:.!?…-–—")
    return Segments(leading=" ".join(leading), core=core.strip(), trailing=" ".join(trailing))


def classifier_input(text: str) -> str:
    """What the classifier reads, in training and in production alike: the core, or the whole
    message when nothing but small talk is in it ("Bonjour !", "Merci, au revoir")."""
    core = segment(text).core
    return core if core else " ".join(text.split())
