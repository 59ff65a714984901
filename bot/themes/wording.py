"""The words of a pain line as a label needs them: which words carry meaning, where a clause ends, which
runs of words stand on their own as a name, and how to shorten a line without cutting a clause.

English only, and without a tagger: the closed classes (articles, determiners, possessives, pronouns,
prepositions, conjunctions, auxiliaries) are listed, and verbs are told by a short list of verbs that
need more after them ("takes", "can see", "keeps") and by their endings ("-ed", "-ing"), with the nouns
and adjectives of complaints that share those endings ("onboarding", "missing", "declined") let through.
A run that could be a verb is never the end of a label; being wrong the other way only costs a
candidate. Lines in other languages keep their words; only the English lists do not apply to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from bot.themes.embeddings import fold, stem


def _words_of(*parts: str) -> frozenset[str]:
    return frozenset(" ".join(parts).split())


ARTICLES = _words_of("a an the")
DETERMINERS = _words_of(
    "this that these those some any every each all both either neither another such what which whatever",
    "whichever no one",
)
POSSESSIVES = _words_of("my our your his her its their whose ur")
PRONOUNS = _words_of(
    "i me we us you he him she it they them myself ourselves yourself yourselves himself herself itself",
    "themselves u ppl there here",  # hurried notes write "u" and "ppl" for who is meant, not what
)
QUESTION_WORDS = _words_of("why how what where who")
# "everything" and "nothing" may end a clause ("search finds nothing"): not content, not a bad end.
INDEFINITES = _words_of(
    "everyone everybody everything nobody nothing noone anyone anybody anything someone somebody something"
)
PREPOSITIONS = _words_of(
    "of to in on at for with by from into onto about over under after before between through throughout",
    "without within via per as than like across against along among amongst around behind beyond beside",
    "besides during except inside outside past toward towards upon despite near off out up down back away",
    "thru w vs versus re",
)
CONJUNCTIONS = _words_of(
    "and or but nor yet because if when whenever while although though unless whether once whereas",
    "where wherever since until till bc cuz cause plus then so n",
)
AUXILIARIES = _words_of(
    "am is are was were be been being do does did have has had having can could will would shall should",
    "may might must ought isn't aren't wasn't weren't don't doesn't didn't haven't hasn't hadn't can't",
    "cannot couldn't won't wouldn't shouldn't mustn't i'm i've i'd i'll you're we're they're it's that's",
    "there's what's let's he's she's we've they've we'll they'll you'll isnt arent wasnt werent dont doesnt",
    "didnt havent hasnt cant couldnt wont wouldnt shouldnt im ive youre theyre thats theres whats",
)
# Negation and degree: the heart of a complaint at its start ("no offline mode"), never its end ("too").
ADVERBS = _words_of(
    "not no never too very so really just only even still also quite rather more most less least almost",
    "always constantly already again ever yet maybe right",
)
# Verbs that need an object or a complement after them: a label never ends on one ("Everyone can see",
# "Onboarding a new team takes", "nobody knows"), nor starts on one without its subject ("keeps logging").
LIGHT_VERBS = _words_of(
    "keep keeps kept keeping get gets got gotten getting make makes made making take takes took taken",
    "taking see sees saw seen seeing know knows knew known want wants wanted wanting need needs needed",
    "give gives gave given let lets put puts tell tells told say says said try tries tried trying seem",
    "seems seemed become becomes became go goes went going come comes came find finds found show shows",
    "showed shown require requires required allow allows allowed include includes included mean means",
    "meant look looks looked feel feels felt hear hears heard ask asks asked expect expects wish wishes",
    "hope hopes love loves hate hates prefer prefers start starts started stop stops stopped begin begins",
    "began use uses used left bring brings brought think thinks thought able unable sign send sends sent",
)
# Words of notes and chat that say nothing about the problem.
FILLER = _words_of(
    "thing things stuff way ways lot lots bit kind sort etc lol pls plz please rn tbh btw fyi imo ok okay",
    "yes yeah hi hello hey thanks thank actually basically literally super pretty again asap",
)
# Units after a number say how much, not what: "~15 min | idle" is no start of a name.
UNITS = _words_of(
    "min mins sec secs hr hrs hour hours day days wk wks week weeks month months yr yrs year years ms k kb",
    "mb gb x pm",
)
# Words ending in -ing or -ed that are nouns or adjectives of complaints, or verbs complete without an
# object: they may end a label ("no onboarding", "VAT number missing", "transfer was declined").
ING_NOUNS = _words_of(
    "onboarding billing pricing reporting training meeting booking ticketing routing scheduling logging",
    "mapping tracking setting heading listing shipping marketing accounting invoicing budgeting hosting",
    "testing recording building string morning evening warning ceiling landing banking funding spending",
    "messaging printing forecasting provisioning branding filtering sharing",
)
ENDS_ING_OK = ING_NOUNS | _words_of(
    "missing pending working confusing annoying frustrating overwhelming misleading failing crashing",
    "freezing lagging loading hanging stuttering spinning disappearing syncing existing remaining",
    "ongoing upcoming incoming outgoing outstanding boring disappointing",
)
ENDS_ED_OK = _words_of(
    "failed declined arrived delayed rejected blocked locked stuck broken lost crashed expired charged",
    "overcharged disabled denied cancelled canceled suspended frozen duplicated bounced throttled",
    "gone wrong unsupported outdated limited restricted hidden",
    "speed need feed seed embed hundred bed shed breed greed",
)
# A phrasal verb may end on its particle after a past participle ("logged out", "locked out") or after
# the person it acts on ("logging people out", "kicks them out"), or at the end of its clause ("after
# signing up"), never right after the verb with more to come ("Setting up | single sign-on").
PARTICLES = _words_of("up out off down back away over in on")
PARTICLE_OBJECTS = _words_of("me us you him her them people users everyone everybody someone")
# Words that open a clause of their own; a phrase taken from a clause they open loses what it hangs on
# ("record changes" from "a webhook when a record changes").
SUBORDINATORS = _words_of(
    "when whenever while if unless because bc cuz cause since until till although though whereas whether",
    "which who whom whose once",
)
# Words a clause may be split at for phrases: a phrase never runs into a clause of its own, nor into an
# indirect question ("nobody knows | what the seats cost"). A line is shortened only at the words that
# open a clause beside it, not its object ("We cannot restrict who deletes records" stays whole); at
# "and", "or", "so" only while it is still too long.
COORDINATORS = _words_of("but yet then and or so")
CLAUSE_WORDS = SUBORDINATORS | _words_of("why how what where but yet then")
BESIDE_WORDS = CLAUSE_WORDS - _words_of("which who whom whose why how what where")
SHORTEN_WORDS = _words_of("and or so")
# A label never ends before these: "left months | ago", "higher | than", "setting | up", "rejects | them".
BINDS_BACK = _words_of("ago than up out off down me us him her it them")

FUNCTION_WORDS = (
    ARTICLES
    | DETERMINERS
    | POSSESSIVES
    | PRONOUNS
    | QUESTION_WORDS
    | PREPOSITIONS
    | CONJUNCTIONS
    | SUBORDINATORS
    | AUXILIARIES
    | ADVERBS
)
NOT_CONTENT = FUNCTION_WORDS | INDEFINITES | LIGHT_VERBS | FILLER | UNITS
# Words that open a noun phrase: a run that stops before one has left its object behind.
NOUN_OPENERS = ARTICLES | POSSESSIVES | _words_of("this these those every each any some all")
# Words after which a noun phrase is open: a run that stops inside it, before a content word, is cut.
OPENERS = ARTICLES | DETERMINERS | POSSESSIVES | PREPOSITIONS | _words_of("and or")
# Words a label may start with that are not content words: the negation that makes it a complaint.
NEGATIONS = _words_of(
    "no never without can't cannot cant don't dont doesn't doesnt didn't didnt won't", "wont"
)

# Words: letters and digits, with inner apostrophes, hyphens, ampersands and slashes ("don't",
# "top-up", "R&D", "w/o", "7/30/90").
WORD = re.compile(r"[^\W_]+(?:['’\-&/][^\W_]+)*")
# Where a clause ends: punctuation, a slash or a dash standing alone ("w/ azure", "fails - again").
CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”«»|\\…]+|(?<!\w)/|/(?!\w)|\s[-–—=+&>]+\s|\n")


@dataclass(frozen=True)
class Word:
    folded: str  # lower case, no accents
    key: str  # folded and stemmed
    start: int  # where it is in its clause
    end: int
    content: bool  # not a function word, a number or a single letter


def _numeric(folded: str) -> bool:
    return any(map(str.isdigit, folded))


@lru_cache(maxsize=50_000)
def _known(folded: str) -> tuple[str, bool]:
    """A word's key and whether it is a content word: worked out once per word, not once per line (a
    workspace says the same few thousand words again and again)."""
    content = folded not in NOT_CONTENT and not _numeric(folded) and len(folded) > 1
    return stem(singular(folded)), content


def singular(folded: str) -> str:
    """A plural's singular, roughly: "invoices" and "invoice", "queries" and "query" are one word."""
    if len(folded) > 4 and folded.endswith("ies"):
        return folded[:-3] + "y"
    if len(folded) > 3 and folded.endswith("s") and not folded.endswith(("ss", "us", "is", "'s", "’s")):
        return folded[:-1]
    return folded


def words(clause: str) -> list[Word]:
    out = []
    for match in WORD.finditer(clause):
        word = match.group()
        # Most words are ASCII: lower() is their fold, at a fraction of the cost of Unicode folding.
        folded = word.lower() if word.isascii() else fold(word).replace("’", "'")
        key, content = _known(folded)
        out.append(Word(folded, key, match.start(), match.end(), content))
    return out


@dataclass(frozen=True)
class Clause:
    text: str
    words: list[Word]
    main: bool  # False when a subordinating word or a question word opened it


def clauses(text: str, *, split: frozenset[str] = CLAUSE_WORDS) -> Iterator[Clause]:
    """Each clause of a line: split at punctuation and at the words of `split`, which are left out."""
    for piece in CLAUSE.split(text):
        current: list[Word] = []
        main = True
        for word in words(piece):
            if word.folded in split:
                if current:
                    yield Clause(piece, current, main)
                current, main = [], word.folded in COORDINATORS
            else:
                current.append(word)
        if current:
            yield Clause(piece, current, main)


def verb_like(folded: str) -> bool:
    """A word that is, or may well be, a verb needing more after it."""
    if folded in LIGHT_VERBS:
        return True
    if folded in INDEFINITES:
        return False
    if folded.endswith("ing") and len(folded) > 5:
        return folded not in ENDS_ING_OK
    if folded.endswith("ed") and len(folded) > 4:
        return folded not in ENDS_ED_OK
    return False


def may_end(run: list[Word], after: Word | None = None) -> bool:
    """Whether a label may end on the last of `run` (the words of one clause, in order), given the word
    that follows it in the clause, if any."""
    last = run[-1].folded
    if after is not None and after.folded in BINDS_BACK:
        return False
    if "'s" in last or "’s" in last or _numeric(last) or last in FILLER:
        return False  # "their team's", "10k", "lol"
    if after is not None and after.folded in NOUN_OPENERS:
        return False  # "Exporting reports to Excel breaks | the formatting": its object is cut away
    if last in PARTICLES and len(run) >= 2:
        # At the end of its clause a particle closes its verb ("after signing up"); inside, only after
        # a participle or a person ("logged out like every 20 min"), never before the verb's object.
        before = run[-2].folded
        participle = before.endswith("ed") and before not in LIGHT_VERBS
        return after is None or participle or before in PARTICLE_OBJECTS
    if last in FUNCTION_WORDS or verb_like(last):
        return False
    # An article, a possessive or a preposition opened a noun phrase that goes on after the run: cut
    # ("crashes on the login | screen").
    goes_on = after is not None and after.folded not in FUNCTION_WORDS
    return not (goes_on and any(w.folded in OPENERS for w in run[1:]))


# What things do when they break, said of them: a pain, never the name of an area ("App, iOS and dies").
COMPLAINT_VERBS = _words_of(
    "dies crashes closes fails breaks hangs freezes lags stalls drops loses stops works loads spins",
    "shows says times kills eats drains logs blocks rejects misses doubles creates clones expires",
)


def names_an_area(word: Word) -> bool:
    """A word a topic may be named with: a content word that is not a verb, a participle ("missing",
    "charged") nor an adverb; nouns in -ing are ("onboarding", "billing")."""
    folded = word.folded
    if not word.content or verb_like(folded) or folded in COMPLAINT_VERBS or folded.endswith("ly"):
        return False
    if folded.endswith("ing") and len(folded) > 5:
        return folded in ING_NOUNS
    return not (folded.endswith("ed") and len(folded) > 4)


# Words that say how a thing is, not what it is: a topic is not named "New" or "Slow", though "new hires"
# and "slow sync" may name one.
QUALITIES = _words_of(
    "new old older newer slow slower fast faster big bigger small smaller large whole single same other many "
    "much good bad wrong right hard easy different common main full empty late early several every various "
    "current own whole entire simple basic"
)


# A person doing something inside a run makes it a clause of its own ("the card | you sent").
SUBJECTS = _words_of("i we you he she they")


def may_start(word: Word, after: Word | None = None) -> bool:
    """Whether a label may start on `word`, followed by `after`: a content word, or a negation that is
    not a question ("can't I ...")."""
    if word.content:
        return True
    asks = PRONOUNS | AUXILIARIES | POSSESSIVES | ARTICLES
    return word.folded in NEGATIONS and (after is None or after.folded not in asks)


def ends_well(text: str) -> bool:
    """Whether a label's last word is one a name may end on (no function word, no verb left hanging)."""
    run = [w for c in clauses(text, split=frozenset()) for w in c.words]
    return bool(run) and may_end(run)


def _says_something(clause: Clause) -> bool:
    return any(w.folded not in FUNCTION_WORDS | FILLER and not _numeric(w.folded) for w in clause.words)


def shorten(line: str, most: int) -> str:
    """The line's first clause that says something and ends well, as typed: cut at punctuation or at a
    word that opens a clause ("but", "because", "when"), and at "and", "or", "so" only while it is longer
    than `most` words. Never inside a clause: a clause longer than `most` is kept whole. Empty when no
    clause of the line ends well."""
    text = " ".join(line.split())
    found = ""
    for split in (BESIDE_WORDS, BESIDE_WORDS | SHORTEN_WORDS):
        # A main clause first: "when I log in, the app crashes" is about the crash.
        for clause in sorted(clauses(text, split=split), key=lambda c: not c.main):
            if _says_something(clause) and may_end(clause.words):
                found = " ".join(clause.text[clause.words[0].start : clause.words[-1].end].split())
                if len(clause.words) <= most:
                    return found
                break
    return found


def as_title(label: str) -> str:
    """A label as a name heads a list: its first letter up when its first word has no capital of its own
    ("slow to open on older phones" → "Slow to open…"); "iOS app crashes" and "eBay sync" stay as typed."""
    first = label.split(" ", 1)[0]
    if not first[:1].isalpha() or any(c.isupper() for c in first):
        return label
    return label[:1].upper() + label[1:]
