"""Column names as comparable words: normalisation, abbreviations, synonyms, typos.

``words("CustEmail_Addr")`` → ``("cust", "email", "addr")``; ``canonical`` then folds
abbreviations and synonyms from a built-in table (``("customer", "email", "address")``);
``name_similarity`` compares two names in ``[0, 1]`` and says why in words.

The table is a general vocabulary of column names (business records, contact details,
measurements and time), not a list fitted to any particular dataset. Abbreviations that
follow a rule (a prefix such as ``precip``, a consonant skeleton such as ``qty``, initials
such as ``mpg``) need no entry: :func:`token_similarity` recognises them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from mammoth_pandas.mapping.vocabulary import (
    KIND_WORDS,
    OPPOSITES,
    STOPWORDS,
    SYNONYMS,
    UNITS,
)

__all__ = [
    "KIND_WORDS",
    "STOPWORDS",
    "SYNONYMS",
    "UNITS",
    "NameMatch",
    "american",
    "canonical",
    "contained",
    "is_opaque",
    "name_similarity",
    "normalize_name",
    "numbering_only",
    "side_cores",
    "subjects_differ",
    "token_similarity",
    "words",
]

_OPAQUE = re.compile(
    r"^(?:(?:col|column|field|var|variable|attr|attribute|unnamed|x|f|c|v|feature)\s*)?\d+$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LETTER_DIGIT = re.compile(r"(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
_VOWELS = frozenset("aeiou")
#: A canonical phrase maps to itself, so that ``postal code`` does not become ``postal code code``.
_PHRASES: dict[str, str] = {**{v: v for v in SYNONYMS.values() if " " in v}, **SYNONYMS}
_MAX_PHRASE = max(len(k.split()) for k in _PHRASES)


@lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """Split a column name into lowercase ASCII words.

    Accents are dropped, camelCase and letter/digit boundaries split words, and every
    run of spaces or punctuation separates them: ``"Émail_AddrLine2"`` → ``("email",
    "addr", "line", "2")``.
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("%", " percent ").replace("#", " number ").replace("&", " and ")
    text = _CAMEL.sub(" ", text)
    text = _LETTER_DIGIT.sub(" ", text)
    return tuple(american(w) for w in _NON_WORD.split(text.lower()) if w)


_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z]{3})our$"), "or"),  # colour, behaviour, labour (not hour, four)
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # organise
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),  # analyse
    (re.compile(r"(?<=[a-z]{3})tre(s?)$"), r"ter\1"),  # centre, metre
    (re.compile(r"(?<=[a-z]{3})ogue$"), "og"),  # catalogue
    (re.compile(r"(?<=[a-z]{3}[aeiou])ll(ed|ing|er)$"), r"l\1"),  # cancelled, travelling
    (re.compile(r"^(licen|defen|offen)ce$"), r"\1se"),  # licence
)


@lru_cache(maxsize=8192)
def american(word: str) -> str:
    """One spelling for British and American variants: ``colour`` → ``color``."""
    for pattern, replacement in _SPELLINGS:
        new = pattern.sub(replacement, word)
        if new != word:
            return new
    return word


def normalize_name(name: str) -> str:
    """The name as space-separated lowercase words (the exact-match key)."""
    return " ".join(words(name))


#: Endings that make another form of the same word (``created``, ``creation``, ``create``),
#: longest first; what is left must keep ``_STEM_MIN`` letters.
_ENDINGS = ("ations", "ation", "ions", "ion", "ings", "ing", "ies", "ed", "es", "e", "s")
_STEM_MIN = 4


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The word without one inflection ending: ``created``, ``creation``, ``create`` → ``creat``."""
    if word.isdigit():
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _STEM_MIN:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=4096)
def canonical(name: str) -> tuple[str, ...]:
    """The words of ``name`` with abbreviations and synonyms folded to one spelling.

    Longer phrases win: ``"date of birth"`` → ``("birth", "date")``.
    """
    tokens = tuple(part for token in words(name) for part in split_compound(token))
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + size])
            if phrase in _PHRASES:
                out.extend(_PHRASES[phrase].split())
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out) or tokens


#: The words the vocabulary knows (each spelling and its stem): a word run together from
#: two of them (``createdate``, ``invoicedate``, ``phonenumber``) splits into them.
_LEXICON: frozenset[str] = frozenset(
    w
    for phrase in (*SYNONYMS, *SYNONYMS.values(), *KIND_WORDS)
    for w in phrase.split()
    if len(w) >= 3 and w not in STOPWORDS
)
_LEXICON_STEMS: frozenset[str] = frozenset(stem(w) for w in _LEXICON)
#: Run-together words shorter than this stay whole; each part keeps 3 letters or more
#: (2 for a kind word such as ``id``).
_COMPOUND_MIN = 7


def _known(word: str) -> bool:
    return word in _LEXICON or stem(word) in _LEXICON_STEMS


@lru_cache(maxsize=16384)
def split_compound(token: str) -> tuple[str, ...]:
    """A word run together from two words the vocabulary knows, split in two.

    ``createdate`` → ``("create", "date")``; any other word stays whole.
    """
    if len(token) < _COMPOUND_MIN or token.isdigit() or _known(token):
        return (token,)
    for cut in range(len(token) - 2, 2, -1):
        head, tail = token[:cut], token[cut:]
        if _known(head) and (_known(tail) or tail in KIND_WORDS):
            return head, tail
    return (token,)


#: A name that is a year (``1990``) says which column of a table by years it is.
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


@lru_cache(maxsize=8192)
def is_opaque(name: str) -> bool:
    """Whether a name says nothing about its column (``col_7``, ``field12``, ``X3``).

    A year (``1990``) is no such name: it says which column of a table by years it is.
    """
    key = normalize_name(name)
    return (bool(_OPAQUE.match(key)) and not _YEAR.match(key)) or not words(name)


def _is_abbreviation(short: str, long: str) -> bool:
    """``short`` abbreviates ``long``: a prefix (3+ letters) or a consonant skeleton."""
    if len(short) >= len(long) or len(short) < 2 or short[0] != long[0]:
        return False
    if short.isdigit() or long.isdigit():
        return False
    if len(short) >= 3 and long.startswith(short):
        return True
    if any(ch in _VOWELS for ch in short[1:]):
        return False
    it = iter(long)
    return all(ch in it for ch in short)


#: Words that name an identifier: "order id", "order number" and "order code" are the same.
IDENTIFIER_WORDS: frozenset[str] = frozenset({"id", "number", "code", "key", "reference"})


@lru_cache(maxsize=65536)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two words in ``[0, 1]`` and its kind.

    The kind is one of ``same``, ``another form``, ``abbreviation``, ``identifier``,
    ``typo``.
    """
    if a == b:
        return 1.0, "same"
    if stem(a) == stem(b) and frozenset((a, b)) not in OPPOSITES:
        return 0.9, "another form"
    if a in IDENTIFIER_WORDS and b in IDENTIFIER_WORDS:
        return 0.8, "identifier"
    if _is_abbreviation(a, b) or _is_abbreviation(b, a):
        return 0.85, "abbreviation"
    if a.isdigit() or b.isdigit() or frozenset((a, b)) in OPPOSITES:
        return 0.0, ""
    if a in UNITS and b in UNITS:
        # Another unit on each side: the same quantity, converted.
        return 0.6, "other unit"
    # One letter off in a word of four letters or fewer is as likely another word.
    shortest = min(len(a), len(b))
    if shortest >= 5:
        distance = OSA.distance(a, b)
        if distance <= 1 or (shortest >= 8 and distance <= 2):
            return 0.6 + 0.25 * OSA.normalized_similarity(a, b), "typo"
    return 0.0, ""


#: Head words that often trail a column name without changing what it holds
#: ("customer name" is the customer): they weigh half.
LIGHT_WORDS: frozenset[str] = frozenset({"name", "value", "code"})


def _weight(word: str) -> float:
    if word in STOPWORDS:
        return 0.2
    if word in LIGHT_WORDS:
        return 0.5
    if word in UNITS:
        return 0.35
    return 1.0


def _initials_match(acronym: str, tokens: tuple[str, ...]) -> bool:
    return (
        len(tokens) >= 2
        and len(acronym) == len(tokens)
        and "".join(t[0] for t in tokens) == acronym
    )


@dataclass(frozen=True)
class NameMatch:
    """How alike two names are: ``score`` in ``[0, 1]`` and ``how`` in words."""

    score: float
    how: str


def _token_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, list[str]]:
    """Weighted soft Dice overlap of two word lists, words paired greedily by similarity."""
    pairs = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            sim, kind = token_similarity(x, y)
            if sim > 0:
                pairs.append((sim * min(_weight(x), _weight(y)), sim, i, j, kind, x, y))
    pairs.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    kinds: list[str] = []
    for weighted, _sim, i, j, kind, x, y in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += weighted
        if kind != "same":
            kinds.append(f"{kind} {x}~{y}")
    denom = sum(_weight(x) for x in a) + sum(_weight(y) for y in b)
    return (2.0 * total / denom if denom else 0.0), kinds


#: A word run together with another (``contactid``, ``accountname``) is split where it
#: starts or ends with a whole word of the other name (a kind word such as ``id``, or one
#: of four letters or more: ``age`` is no part of ``average``), leaving at least this many
#: letters.
_RUN_TOGETHER_REST = 3


def _split_run_together(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[str, ...]:
    """``x`` with each word that starts or ends with a word of ``y`` split there."""
    known = sorted(
        {w for w in y if (len(w) >= 4 or w in KIND_WORDS) and not w.isdigit()},
        key=len,
        reverse=True,
    )
    if not known:
        return x
    out: list[str] = []
    for token in x:
        if token in y or len(token) < 2 + _RUN_TOGETHER_REST:
            out.append(token)
            continue
        for w in known:
            if len(token) - len(w) < _RUN_TOGETHER_REST:
                continue
            if token.endswith(w):
                out.extend((token[: -len(w)], w))
                break
            if token.startswith(w):
                out.extend((w, token[len(w) :]))
                break
        else:
            out.append(token)
    return tuple(out)


@lru_cache(maxsize=16384)
def numbering_only(a: str, b: str) -> bool:
    """Whether two names differ only in their numbering (columns of one series).

    ``s3`` and ``s5``, ``q1_score`` and ``q2_score``, ``address_line_1`` and
    ``address_line_2``: the same words, other numbers (both names carry one). The same
    digits split another way (``pixel17`` and ``pixel_1_7``) are the same numbering.
    """
    wa, wb = words(a), words(b)
    if wa == wb:
        return False
    digits_a = tuple(w for w in wa if w.isdigit())
    digits_b = tuple(w for w in wb if w.isdigit())
    if not digits_a or not digits_b or "".join(digits_a) == "".join(digits_b):
        return False
    rest_a = tuple(w for w in wa if not w.isdigit())
    rest_b = tuple(w for w in wb if not w.isdigit())
    return rest_a == rest_b


#: Names this long or longer whose only difference is two neighbouring letters swapped
#: (``incoem``, ``htlhf``) are one name mistyped.
_SWAP_MIN = 5


def _swapped(a: str, b: str) -> bool:
    """``a`` is ``b`` with two neighbouring letters swapped (``gnpdelf`` and ``gnpdefl``)."""
    if len(a) != len(b) or len(a) < _SWAP_MIN or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
        and a[diff[0]].isalpha()
        and a[diff[1]].isalpha()
    )


def _digits_joined(tokens: tuple[str, ...]) -> str:
    """The words with each run of numbers written as one (``pixel 0 5`` → ``pixel 05``)."""
    out: list[str] = []
    for token in tokens:
        if token.isdigit() and out and out[-1].isdigit():
            out[-1] += token
        else:
            out.append(token)
    return " ".join(out)


@lru_cache(maxsize=65536)
def name_similarity(a: str, b: str) -> NameMatch:
    """Compare two column names; symmetric, ``1.0`` for the same normalised name.

    Names that differ only in their numbering (:func:`numbering_only`) score 0: ``s3`` is
    another column of the series ``s5`` belongs to, never the same one.
    """
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return NameMatch(0.0, "no usable name")
    if wa == wb:
        return NameMatch(1.0, "same name")
    if numbering_only(a, b):
        return NameMatch(0.0, "only the numbering differs")
    digits_a = tuple(t for t in wa if t.isdigit())
    digits_b = tuple(t for t in wb if t.isdigit())
    if digits_a and digits_b and digits_a != digits_b:
        if "".join(digits_a) == "".join(digits_b):
            # The same digits split another way ("pxl05", "pixel_0_5"): one number a side.
            return name_similarity(_digits_joined(wa), _digits_joined(wb))
        if tuple(int(t) for t in digits_a) != tuple(int(t) for t in digits_b):
            return NameMatch(0.0, "other numbers")
    if "".join(wa) == "".join(wb):
        return NameMatch(0.97, "same name, split differently")
    if _swapped("".join(wa), "".join(wb)):
        return NameMatch(0.93, "typo: two letters swapped")
    ca, cb = canonical(a), canonical(b)
    if ca == cb or "".join(ca) == "".join(cb):
        return NameMatch(0.93, "synonym or abbreviation")
    best, how = 0.0, ""
    pairs = [(ca, cb), (wa, wb)]
    split_a, split_b = _split_run_together(ca, cb), _split_run_together(cb, ca)
    if (split_a, split_b) != (ca, cb):
        pairs.append((split_a, split_b))
    for x, y in pairs:
        core_x = tuple(t for t in x if t not in STOPWORDS)
        core_y = tuple(t for t in y if t not in STOPWORDS)
        if (len(core_x) == 1 and _initials_match(core_x[0], y)) or (
            len(core_y) == 1 and _initials_match(core_y[0], x)
        ):
            return NameMatch(0.88, "initials")
        if (len(x) == 1 and _initials_match(x[0], core_y)) or (
            len(y) == 1 and _initials_match(y[0], core_x)
        ):
            return NameMatch(0.88, "initials")
        overlap, kinds = _token_overlap(x, y)
        if overlap >= 1.0 and x != y:
            overlap, kinds = 0.95, ["same words, another order"]
        if overlap > best:
            best = overlap
            how = "; ".join(kinds) if kinds else "shared words"
    # Words run together on one side ("temperaturemax"): compare the spellings whole.
    joined_a, joined_b = "".join(ca), "".join(cb)
    if min(len(joined_a), len(joined_b)) >= 6 and min(len(ca), len(cb)) == 1 < max(
        len(ca), len(cb)
    ):
        distance = OSA.distance(joined_a, joined_b)
        if distance <= 2:
            score = 0.95 * OSA.normalized_similarity(joined_a, joined_b)
            if score > best:
                best, how = score, "spelling differs slightly"
    if best <= 0:
        return NameMatch(0.0, "names differ")
    return NameMatch(round(best, 4), how)


#: Kind words recognised at the end of a word they are run together with, after a subject
#: of at least ``_RUN_TOGETHER_SUBJECT`` letters (``customerid``, ``username``).
_RUN_TOGETHER_KINDS = ("id", "name", "number", "key")
_RUN_TOGETHER_SUBJECT = 4


@lru_cache(maxsize=8192)
def name_kinds(name: str, c_type: str | None = None) -> frozenset[str]:
    """What kind of value a name says it holds (``an id``, ``a time``, ``a count``, ``a name``).

    A name without a kind word takes its kind from its type: a date column holds a time,
    a text column a name or label (``Customer`` holds the customer's name).
    """
    tokens = canonical(name)
    found = [KIND_WORDS[w] for w in tokens if w in KIND_WORDS]
    if tokens and tokens[-1] not in KIND_WORDS:
        # A kind word run together with the subject: "customerid" holds an id.
        head = tokens[-1]
        found += [
            KIND_WORDS[w]
            for w in _RUN_TOGETHER_KINDS
            if head.endswith(w) and len(head) - len(w) >= _RUN_TOGETHER_SUBJECT
        ][:1]
    # The last kind word is the head: "customer ref name" holds a name.
    kinds = frozenset(found[-1:])
    if kinds or c_type is None:
        return kinds
    if c_type == "date":
        return frozenset({"a time"})
    if c_type == "text":
        return frozenset({"a name"})
    return frozenset()


@lru_cache(maxsize=65536)
def contained(a: str, b: str, a_type: str | None = None, b_type: str | None = None) -> bool:
    """Whether one name is the other with more words (often another column about it).

    ``amount`` and ``amount_tax``, ``city`` and ``city_code``. Compared on canonical words,
    stopwords aside. Extra words that are only units (``weight`` and ``weight_kg``) or only
    say the kind the shorter name already holds (``customer`` and ``customer_name``, a text
    column holding a name) do not count.
    """
    ca = frozenset(w for w in canonical(a) if w not in STOPWORDS)
    cb = frozenset(w for w in canonical(b) if w not in STOPWORDS)
    if not ca or not cb or ca == cb:
        return False
    if ca < cb:
        short, short_type, extra = a, a_type, cb - ca
    elif cb < ca:
        short, short_type, extra = b, b_type, ca - cb
    else:
        return False
    if extra <= UNITS:
        return False
    if not extra <= KIND_WORDS.keys():
        return True
    return not {KIND_WORDS[w] for w in extra} <= name_kinds(short, short_type)


def _subjects(name: str) -> tuple[str, ...]:
    """A name's words about what it describes: stopwords, units and kind words aside."""
    aside = STOPWORDS | UNITS | LIGHT_WORDS | IDENTIFIER_WORDS
    return tuple(w for w in canonical(name) if w not in aside and w not in KIND_WORDS)


@lru_cache(maxsize=65536)
def subjects_differ(a: str, b: str) -> bool:
    """Whether each name has a subject word the other has nothing like.

    ``deal_id`` and ``account_id``, ``worst symmetry`` and ``worst texture``: a shared word
    (here the kind, or a qualifier) with another subject on each side, two columns of one
    family. ``last_name`` and ``last_title``, ``miles`` and ``mls`` differ in no subject.
    """
    sa, sb = _subjects(a), _subjects(b)

    def unmatched(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
        return any(all(token_similarity(w, v)[0] <= 0.0 for v in y) for w in x)

    return unmatched(sa, sb) and unmatched(sb, sa)


def kind_conflict(
    a: str, b: str, a_type: str | None = None, b_type: str | None = None
) -> str | None:
    """Why two names hold different kinds of value (``None`` when they may hold the same)."""
    ka, kb = name_kinds(a, a_type), name_kinds(b, b_type)
    if not ka or not kb or ka & kb:
        return None
    return f"{a!r} holds {' or '.join(sorted(ka))}, {b!r} {' or '.join(sorted(kb))}"


#: A word shared by at least this share of a side's columns, at the start or the end of
#: their names, is that side's affix (``stg_``, ``hs_``, ``__c``, ``_v2``): noise.
AFFIX_SHARE = 0.6


def _affix_words(names: list[tuple[str, ...]], end: bool) -> tuple[str, ...]:
    """The longest run of words (up to 2) that most multi-word names start (or end) with."""
    multi = [n for n in names if len(n) >= 2]
    if len(names) < 3 or len(multi) < AFFIX_SHARE * len(names):
        return ()
    best: tuple[str, ...] = ()
    for size in (1, 2):
        counts: dict[tuple[str, ...], int] = {}
        for n in multi:
            if len(n) > size:
                key = n[-size:] if end else n[:size]
                counts[key] = counts.get(key, 0) + 1
        if not counts:
            break
        key, count = max(counts.items(), key=lambda kv: kv[1])
        if count >= AFFIX_SHARE * len(names) and all(w not in KIND_WORDS for w in key):
            best = key
    return best


def side_cores(names: list[str]) -> list[str]:
    """Each name without the affixes that most of its side's names share.

    The affixes come from the side itself, not from a list: ``["hs_email", "hs_phone", "hs_city"]``
    → ``["email", "phone", "city"]``. Names that would be left empty, or with a number
    alone (``s1``, ``s2``…), keep their words.
    """
    split = [words(n) for n in names]
    head, tail = _affix_words(split, end=False), _affix_words(split, end=True)
    out = []
    for name, w in zip(names, split, strict=True):
        core = w
        if head and core[: len(head)] == head and len(core) > len(head):
            core = core[len(head) :]
        if tail and core[-len(tail) :] == tail and len(core) > len(tail):
            core = core[: -len(tail)]
        if all(t.isdigit() for t in core):  # "s3" is not "3": the number alone says nothing
            core = w
        out.append(" ".join(core) if core != w else name)
    return out
