"""Reading grade of short plain-language text: Flesch-Kincaid with our own syllable counter.

Pure Python, no dependencies. Good enough to rank grid cells and catch hard
wording; it is an estimate, like every readability formula.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")

# Vowel pairs that are usually two syllables (di-et, u-su-al, vi-de-o), unless
# the letter before makes them one (na-tion, spe-cial, lan-guage, peo-ple).
_SPLIT_PAIRS = re.compile(r"(?<![tcsx])i[ao]|(?<![qg])u[ao]|(?<!p)eo|iet|iu")

# Endings that add one syllable of their own; the stem is counted alone, so its
# silent final e stays silent (move-ment, like-ly, care-ful).
_SUFFIXES = ("ment", "ness", "less", "ful", "ly")

# Words the rules get wrong that turn up in health text.
_EXCEPTIONS: dict[str, int] = {
    "every": 2,
    "being": 2,
    "idea": 3,
    "area": 3,
    "create": 2,
    "diabetes": 4,
    "someone": 2,
    "sometimes": 2,
    "somewhere": 2,
    "whereas": 2,
}


def syllables(word: str) -> int:
    """Estimate the syllables in one English word (at least 1).

    Rules: count groups of vowels (y is a vowel except at the start); a final
    silent e does not count, but a consonant + "le" ending does (ta-ble, set-tled); "-ed"
    is silent except after t or d (need-ed); "-es" is silent except after s, x,
    z, ch, sh, ce, ge (chang-es) or a consonant + l (ta-bles); some vowel pairs
    split (di-et, u-su-al); suffixes such as -ment, -ly and -ful are counted on
    their own. Digits count as one syllable per number.
    """
    word = word.lower().replace("’", "'").split("'")[0]
    if not word:
        return 1
    if word.isdigit():
        return 1
    word = re.sub(r"[^a-z]", "", word)
    if not word:
        return 1
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    if len(word) <= 3:
        return 1
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and _VOWEL_GROUP.search(stem):
            return syllables(stem) + 1
    return _count_core(word)


def _count_core(word: str) -> int:
    stripped = False
    if word.endswith("es") and len(word) > 4:
        keeps = word.endswith(("ses", "xes", "zes", "ches", "shes", "ces", "ges"))
        consonant_le = word.endswith("les") and word[-4] not in "aeiouy"
        if consonant_le:
            word, stripped = word[:-1], True
        elif not keeps:
            word, stripped = word[:-2], True
    elif word.endswith("ed") and len(word) > 3 and word[-3] not in "td":
        word, stripped = word[:-2], True
        if re.search(r"[^aeioul]l$", word):
            word += "e"  # sett-led, hand-led: keep the -le syllable
    if not stripped and word.endswith("e") and not word.endswith(("ee", "ye")):
        consonant_le = word.endswith("le") and word[-3] not in "aeiouy"
        if not consonant_le:
            word = word[:-1]
    body = word[1:] if word.startswith("y") else word
    count = len(_VOWEL_GROUP.findall(body))
    count += len(_SPLIT_PAIRS.findall(body))
    if word.endswith("ing") and len(word) > 4 and word[-4] in "aeiouy":
        count += 1  # be-ing, go-ing: the vowel before -ing is its own syllable
    return max(1, count)


def words_of(text: str) -> list[str]:
    """The words of a text: runs of letters or digits; hyphens and slashes split words."""
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Sentences end at . ! ? ; or : followed by a space or the end. At least 1."""
    body = text.strip()
    if not body:
        return 0
    ends = len(_SENTENCE_END.findall(body))
    if not _SENTENCE_END.search(body[-1:] + " "):
        ends += 1  # a last sentence with no full stop still counts
    return max(1, ends)


def reading_grade(text: str, ignore_words: set[str] | frozenset[str] = frozenset()) -> float:
    """US school grade needed to read `text`, by the Flesch-Kincaid grade formula.

    grade = 0.39 * words / sentences + 11.8 * syllables / words - 15.59

    Syllables come from our own counter (`syllables`). Words in `ignore_words`
    (compared in lower case) count as one syllable each. The linter passes the
    names of the grid's medicine options here (for example "aripiprazole" or
    "paliperidone"): they are names the reader must learn anyway, whatever the
    wording, and at five or six syllables each they would otherwise dominate the
    score of every cell that names them. Empty text has grade 0.0. Sentences end
    at . ! ? ; and : so a list of short clauses reads as short sentences, as it
    does to a reader. The result is not clipped: very simple text can score
    below 0.
    """
    found = words_of(text)
    if not found:
        return 0.0
    ignored = {w.lower() for w in ignore_words}
    total = sum(1 if w.lower() in ignored else syllables(w) for w in found)
    sentences = sentence_count(text)
    return 0.39 * len(found) / sentences + 11.8 * total / len(found) - 15.59
