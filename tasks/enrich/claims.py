"""Numeric claims: quantities with their qualifier and what they count.

"approximately 1,500 special forces troops" becomes Claim(value=1500, qualifier="approx",
unit="troops", subject="special forces troops", ...), with the sentence it came from, so a
warehouse query can follow one reported figure across articles and sources.

How it works, and why this way (it runs on every article in the extraction worker):

* Two compiled regex passes find number candidates, one for digits ("1,500", "3.5bn", "10k",
  "5%", "50p", "100km"; the sign and currency symbol before them are read in code) and one
  for English number words ("twenty", "a dozen", "half a million", "thousands of"). Each
  pattern opens with a plain character class, which lets the regex engine skip straight to
  plausible positions; a leading lookbehind would cost a check at every character.
* Each candidate is judged from a few words either side. A number becomes a claim only when
  it says what it counts: a currency, a percentage, a noun phrase after it ("1,500 special
  forces troops"), or an explicit "the number of <noun>" / "this number" earlier in the
  sentence ("the number of troops could rise to as many as 12,000"). Bare numbers are
  dropped: precision matters more than recall here.
* Numbers that name or date rather than count are skipped: years, dates, times, ages,
  durations, ordinals, scores, phone numbers, labels ("No. 10", "Article 5", "Radio 4",
  "Cold War 2.0", "Six Nations"), numbers glued to letters or inside URLs and IDs
  ("COVID-19", "MH17", "24/7"), compound modifiers ("a 10-year deal", "45-year-old", "a 2004
  election"), ratios ("nine out of 10") and "one of the ...".

Unit normalisation (``Claim.unit``), chosen so that SQL can filter on it:

* ``subject`` keeps the counted noun phrase as written ("special forces troops", "soldiers").
* ``unit`` is a normalised class. Words that count the same thing are folded:
  troops/soldiers/servicemen/paratroopers/marines/conscripts/... -> "troops" ("personnel"
  only with a military word before it: "military personnel"); people/persons/individuals
  and plural demonyms ("1,500 North Koreans") -> "people". Money is the ISO 4217 code in
  lower case ("usd", "gbp", "eur", "krw", "rub", ...; a bare "$" is taken as US dollars;
  pence and cents are converted to pounds and dollars or euros). Percentages are "percent"
  ("percentage_points", "basis_points" kept apart). Measures are abbreviated ("km", "kg",
  "tonnes", "miles", "metres"; areas "square_metres", "square_feet", ...); "pounds" weighed,
  gained, lost or "of" something are "lb", and "1080p" is a screen, not pence. Any other noun
  is its head word in lower case, plural ("jobs", "containers", "officers"); a singular
  head is accepted only after the number 1 and is then pluralised ("1 job" -> "jobs"), as
  after other numbers it is a modifier ("a 2004 election").

Qualifiers: 'exact' | 'approx' | 'at_least' | 'at_most' | 'more_than' | 'less_than' |
'range' | 'projection'. "nearly"/"almost" count as 'approx'. A stated bound wins over a
projection ("could rise to as many as 12,000" is 'at_most'): the bound is what a reader can
check. A forecast without a bound ("could rise to 10,000 by December") is 'projection',
with its ``horizon`` ("by December") when the sentence gives one. Vague plurals are the
lower bound the plural implies: "hundreds of" = at_least 200, "thousands of" = at_least
2,000, "tens of thousands of" = at_least 20,000, "dozens of" = at_least 24, "several/a few
hundred" = at_least 200; "a dozen" = approx 12.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["QUALIFIERS", "Claim", "find_claims", "sentence_spans"]

QUALIFIERS = (
    "exact",
    "approx",
    "at_least",
    "at_most",
    "more_than",
    "less_than",
    "range",
    "projection",
)


@dataclass(frozen=True, slots=True)
class Claim:
    value: float
    value_high: float | None  # upper end of a range ("between 10,000 and 12,000")
    qualifier: str  # one of QUALIFIERS
    unit: str | None  # what is counted, normalised ("troops", "people", "usd", "percent")
    subject: str | None  # the counted noun phrase as written ("special forces troops")
    horizon: str | None  # for projections: "by December", "by the end of the year"
    text: str  # the quantity as written ("approximately 1,500 special forces troops")
    sentence: str
    offset: int  # of `text` in the input


# --------------------------------------------------------------------------- vocabularies


def _split(words: str) -> list[str]:
    """A word list written as one string: long vocabularies read better that way."""
    return words.split()


_SCALE = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "bn": 1e9,
    "b": 1e9,
    "tn": 1e12,
}
_SMALL = {
    w: i
    for i, w in enumerate(
        _split(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen"
        )
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(_split("twenty thirty forty fifty sixty seventy eighty ninety"))
}
# Vague plurals: the smallest amount the plural can mean ("hundreds" is at least 200).
_VAGUE = {"dozens": 24, "tens": 20, "hundreds": 200, "thousands": 2e3, "millions": 2e6,
          "billions": 2e9}  # fmt: skip

_CURRENCY_CHARS = "£$€¥₩₽₹"
_CURRENCY_SYMBOL = {
    "£": "gbp",
    "$": "usd",
    "€": "eur",
    "¥": "jpy",
    "₩": "krw",
    "₽": "rub",
    "₹": "inr",
    "US$": "usd",
    "AU$": "aud",
    "A$": "aud",
    "CA$": "cad",
    "C$": "cad",
    "HK$": "hkd",
    "NZ$": "nzd",
    "S$": "sgd",
    "R$": "brl",
}
_DOLLAR_PREFIXES = ("US", "AU", "CA", "HK", "NZ", "A", "C", "S", "R")
# Video and screen resolutions, which "p" after the digits names as often as pence ("RTX 3070
# ... for 1440p gaming" was £14.40 on a real page); the BBC's share prices in pence (300p, 950p,
# 925p, 873p) are none of them.
_VIDEO_LINES = frozenset(
    ("144", "240", "360", "480", "540", "576", "720", "900", "1080", "1440", "2160", "4320")
)
# Units written against the digits ("5%", "50p", "100km"); case matters ("4K" is a screen).
_ATTACHED = {
    "%": "percent",
    "pc": "percent",
    "p": "gbp",  # pence, converted to pounds
    "km": "km",
    "kg": "kg",
    "mph": "mph",
    "MW": "mw",
    "GW": "gw",
    "GB": "gb",
    "TB": "tb",
}

_TROOP_WORDS = _split(
    "troops troop soldiers soldier servicemen serviceman servicewomen paratroopers commandos "
    "marines conscripts reservists infantrymen infantry"
)
_MILITARY = frozenset(
    _split(
        "military army armed defence defense combat special forces navy naval marine frontline "
        "front-line"
    )
)
# Head noun -> unit, for heads that are not simply their own plural.
_UNIT_OF = {
    **dict.fromkeys(_TROOP_WORDS, "troops"),
    **dict.fromkeys(("people", "persons", "person", "individuals"), "people"),
    **dict.fromkeys(("dollars", "dollar", "bucks"), "usd"),
    **dict.fromkeys(("pounds", "pound", "sterling", "quid"), "gbp"),
    **dict.fromkeys(("euros", "euro"), "eur"),
    "yen": "jpy",
    **dict.fromkeys(("yuan", "renminbi"), "cny"),
    "won": "krw",
    **dict.fromkeys(("roubles", "rubles", "rouble", "ruble"), "rub"),
    **dict.fromkeys(("rupees", "rupee"), "inr"),
    "pence": "gbp",  # converted to pounds
    "cents": "usd",  # converted to dollars (euros after "euro")
    **dict.fromkeys(("percent", "pct"), "percent"),
    **dict.fromkeys(("km", "kilometres", "kilometers", "kilometre", "kilometer"), "km"),
    **dict.fromkeys(("miles", "mile"), "miles"),
    **dict.fromkeys(("metres", "meters", "metre", "meter"), "metres"),
    **dict.fromkeys(("tonnes", "tons", "tonne", "ton"), "tonnes"),
    **dict.fromkeys(("kg", "kilograms", "kilogrammes", "kilos"), "kg"),
    **dict.fromkeys(("mw", "megawatts"), "mw"),
    **dict.fromkeys(("gw", "gigawatts"), "gw"),
}
_AREA_OK = frozenset(("km", "miles", "metres"))
_MONEY = frozenset(("usd", "gbp", "eur", "jpy", "cny", "krw", "rub", "inr", "aud", "cad",
                    "hkd", "nzd", "sgd", "brl"))  # fmt: skip
_PER_HUNDRED = frozenset(("pence", "cents"))
# Heads that are not plural in form but count anything: accepted after any number.
_INVARIANT = frozenset(
    _split(
        "people police staff personnel cattle sheep fish deer aircraft crew infantry livestock "
        "offspring yen won yuan renminbi sterling pence percent pct km kg mph mw gw gb tb "
        "men women children feet teeth geese mice"
    )
)
_IRREGULAR_PLURAL = {"man": "men", "woman": "women", "child": "children", "foot": "feet"}
# Durations are how long, not how many: "for 10 years", "three days of talks".
_DURATION = frozenset(
    _split(
        "seconds second minutes minute hours hour days day weeks week months month years year "
        "decades decade centuries century nights night weekends weekend fortnights hrs mins "
        "secs yrs"
    )
)
# "3 November", "November 3": a number next to a month is a date.
_MONTHS = frozenset(
    _split(
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
# Capitalised plurals that count people ("1,500 North Koreans") without ending in -ans/-ese.
_DEMONYMS = frozenset(
    _split("""Britons Brits Scots Poles Turks Kurds Danes Swedes Finns Czechs Greeks Arabs Jews
    Croats Serbs Slovaks Thais Filipinos Iraqis Israelis Pakistanis Saudis Somalis Kuwaitis
    Yemenis Bangladeshis Qataris Omanis Nepalis Emiratis Azeris Kashmiris Punjabis
    Bahrainis Afghans Sikhs Hindus Muslims""")
)
# Words that end a noun phrase: the counted noun comes before them.
_STOP = frozenset(
    _split("""a an the this that these those its it their his her our your my of to in on at for
    from by with without into onto over under than as and or but nor so if then who whom
    whose which what when where while why how is are was were be been being am has have had
    do does did will would shall should can could may might must not no yes all each every
    per apiece more most less least also only just even still already yet very too about
    around some any such other another own same both either neither out up down off back
    away there here now ago later earlier before after since until during between against
    among across through via versus vs including include includes included compared said
    say says told tell reported according i me we us you he him she they them again often
    last next first respectively alone altogether total overall remain remained left went
    came come made make take took get got rose fell gave give pay paid lost lose because
    although though unless whereas whether once till like unlike despite thanks""")
)
# Words before "X to Y" that make it a change and a new level rather than a range.
_CHANGE_WORDS = frozenset(
    _split("""from by rose fell lost gained up down increased decreased cut cuts raised lowered
    climbed dropped jumped slipped slid added shed grew rising falling rises falls reduced
    adding losing gaining shedding climbing dropping jumping closed ended finished halved
    doubled""")
)
# Modifiers that may open a noun phrase but are never its head ("3,000 more troops").
_MODIFIER_ONLY = frozenset(_split("more additional extra new other further fewer"))
# Heads that say how often or how much bigger, not how many.
_NOT_COUNTED = frozenset(
    _split("times time fold percentages odd strong halves thirds quarters fifths tenths")
)
# "100m" without a currency is a race distance, not a hundred million.
_RACE = frozenset(
    _split(
        "hurdles freestyle butterfly backstroke breaststroke medley relay relays sprint sprints "
        "heats"
    )
)
# Words before a number that make it a label or reference rather than a quantity.
_LABEL_BEFORE = frozenset(
    _split("""no no. nos nos. number numbers article articles section sections page pages chapter
    chapters room flight route junction level version phase stage round series season
    episode volume vol vol. platform channel radio grade class category act clause
    paragraph rule resolution proposition unit block gate terminal bus line tier division
    formula windows studio floor pier lane figure fig fig. table exhibit item question part
    step track top bbc id ref code box suite apartment flat highway interstate aged age ages
    cell ward verse psalm""")
)
# Qualifier phrases, matched against the lower-cased words just before the number.
_QUALIFIER_PHRASES: dict[str, tuple[str, ...]] = {
    "approx": (
        "about",
        "around",
        "approximately",
        "approx",
        "approx.",
        "roughly",
        "some",
        "nearly",
        "almost",
        "close to",
        "circa",
        "c.",
        "estimated",
        "an estimated",
        "in the region of",
        "of the order of",
        "on the order of",
        "just about",
    ),
    "at_most": (
        "as many as",
        "as much as",
        "as high as",
        "up to",
        "at most",
        "no more than",
        "not more than",
        "a maximum of",
        "maximum of",
    ),
    "at_least": (
        "at least",
        "no fewer than",
        "no less than",
        "not less than",
        "a minimum of",
        "minimum of",
    ),
    "more_than": (
        "more than",
        "over",
        "in excess of",
        "above",
        "upwards of",
        "exceeding",
        "greater than",
        "north of",
        "well over",
        "just over",
        "well above",
    ),
    "less_than": (
        "fewer than",
        "less than",
        "under",
        "below",
        "just under",
        "just below",
        "lower than",
        "short of",
    ),
}
_LEFT_QUALIFIERS = {p: q for q, phrases in _QUALIFIER_PHRASES.items() for p in phrases}
# Longest phrase first so "just over" wins over "over".
_LEFT_PHRASES = tuple(sorted(_LEFT_QUALIFIERS, key=len, reverse=True))
_LEFT_KEYS = tuple(" " + p for p in _LEFT_PHRASES)
# Capitalised words that may stand before a number without making it a label.
_CAPITAL_OK = frozenset(
    _split("""the a an about around approximately roughly some nearly almost over under up at more
    fewer less only just all another those these its their his her our estimated between
    from to and or by with as no not in of on for""")
).union(w for phrase in _LEFT_QUALIFIERS for w in phrase.split())


# Words in the clause before a number that make it a forecast rather than a report.
_PROJECTION_CUES = frozenset(
    _split("""could may might will would expected expect expects forecast forecasts projected
    projection projections predicted predicts predict predicting plans plan planned
    planning aims aim target targets intends""")
)
# Cues that are forecasts only when followed by "to" ("set to", not "a set of").
_PROJECTION_TO = frozenset(_split("set likely poised due tipped"))

_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_PERIOD = r"years?|months?|weeks?|days?|decades?"
_YEAR = r"(?:19|20)\d\d"
_HORIZON = re.compile(
    rf"\b(?:by\s+(?:the\s+)?(?:end|middle|start|beginning|close)\s+of\s+"
    rf"(?:(?:the|this|next)\s+)?(?:year|month|decade|century|week|summer|spring|autumn|"
    rf"winter|{_YEAR}|{_MONTH_NAMES})(?:\s+{_YEAR})?"
    rf"|by\s+(?:{_MONTH_NAMES})(?:\s+{_YEAR})?"
    rf"|by\s+{_YEAR}"
    rf"|by\s+(?:next|this)\s+(?:year|month|week|spring|summer|autumn|winter)"
    rf"|next\s+(?:year|month|week|decade)"
    rf"|within\s+(?:the\s+next\s+)?(?:\w+\s+)?(?:{_PERIOD})"
    rf"|(?:in|over)\s+the\s+(?:coming|next)\s+(?:\w+\s+)?(?:{_PERIOD}))\b",
    re.I,
)

# --------------------------------------------------------------------------- candidate regexes

_W_SCALE = "hundred|thousand|million|billion|trillion"
_DIGITS = re.compile(
    # Must open with the class (see the module docstring); sign and currency are read in code.
    r"(?P<num>[0-9](?:[0-9]{0,2}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]+)?)"
    r"(?:(?P<att>%|mph|km|kg|MW|GW|GB|TB|pc|bn|tn|[mkbp])(?![\w'’])"
    rf"|\s?(?P<scale>{_W_SCALE}|bn|tn)\b)?"
    r"(?P<plus>\+)?"
)


def _cap(words: str) -> str:
    """Alternation accepting each word lower-case or capitalised (sentence start)."""
    return "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in words.split())


def _trie(words: list[str]) -> str:
    """An alternation with shared prefixes factored out ("t(?:en|w(?:o|elve))"): the regex
    engine then rejects a word after one or two characters instead of trying every entry."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


_W_ONES = "two three four five six seven eight nine"
_W_REST = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_W_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_W_VAGUE = "several dozens tens hundreds thousands millions billions"
_W_FIRST = _split(" ".join((_W_ONES, _W_REST, _W_TENS, _W_VAGUE)))
# Finds where a number word starts: the separator before it, then the first word. A plain
# class first, for the same speed reason as _DIGITS; _WORDS then reads the whole number.
_WORD_START = re.compile(
    r"[ \n\t(\"'\[“‘—–](?:"
    + _trie(_W_FIRST + [w.capitalize() for w in _W_FIRST])
    + r"|[Aa]n?\s+(?:dozen|few|"
    + _W_SCALE
    + r")|[Oo]ne\s+(?:"
    + _W_SCALE
    + r")|[Hh]alf\s+an?\s|[Oo]ne(?=\s+(?:or|to)\s))\b"
)
_WORDS = re.compile(
    r"(?P<vague>(?:" + _cap("dozens tens hundreds thousands millions billions") + r")"
    r"(?:\s+of\s+(?:thousands|millions|billions))?\s+of"
    r"|(?:[Ss]everal|[Aa]\s+few)\s+(?:hundred|thousand|million|billion)(?:\s+of)?)\b"
    r"|(?P<dozen>(?:[Hh]alf\s+)?[Aa]\s+dozen)\b"
    r"|(?P<word>(?:" + _cap(_W_TENS) + r")(?:-(?:one|" + _W_ONES.replace(" ", "|") + r"))?"
    r"(?:\s+(?:" + _W_SCALE + r")){0,2}"
    r"|(?:" + _cap(_W_REST + " " + _W_ONES) + r")(?:\s+(?:" + _W_SCALE + r")){0,2}"
    r"|(?:[Aa]n?|[Oo]ne|[Hh]alf\s+an?)\s+(?:" + _W_SCALE + r")(?:\s+(?:" + _W_SCALE + r"))?"
    # "one" alone is "one of", "one day"; only the start of "one or two" counts.
    r"|[Oo]ne(?=\s+(?:or|to)\s+(?:" + _W_ONES.replace(" ", "|") + r")\b)"
    r")\b"
)

_NEXT_WORD = re.compile(r"[ \t]{1,3}([A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z])(['’]s?)?")
_PERCENT_AFTER = re.compile(
    r"\s?(?:per\s?cent|percent|pct)\b|\s(?:percentage\s+points?)\b|\s(?:basis\s+points?)\b",
    re.I,
)
_TIME_AFTER = re.compile(r"\s?(?:[ap]\.?m\b\.?|GMT|BST|CET|EST|EDT|PST|hrs\b|o'clock)")
_CONNECTOR = re.compile(r"\s*(?:-|–|—|to\b|and\b|or\b)\s*")
_AT_LEAST_AFTER = re.compile(r"\s+or\s+(?:more|over|above)\b")
_APPROX_AFTER = re.compile(r"\s+or\s+so\b")
_OF_AFTER = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+|all\s+)?")
_NUMBER_OF = re.compile(
    # Not "a number of", which means "several".
    r"\b(?:the|this|that|its|their)\s+(?:(?:eventual|total|final|overall|official|"
    r"estimated|reported|actual)\s+)?(?:number|numbers|total|tally|count|figure|figures)"
    r"(?:\s+of\b)?",
    re.I,
)
_DEATH_TOLL = re.compile(r"\bdeath\s+toll\b", re.I)

# Sentences end at . ! ? (and closing quotes/brackets) before a capital, a digit or an
# opening quote, and at every line break; abbreviations are checked in code.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n")
_ABBREVIATIONS = frozenset(
    _split("""mr mrs ms dr prof st sen rep gov gen col lt sgt capt cpl maj adm rev fr jr sr no nos
    vs etc e.g i.e u.s u.k u.n u.s.a inc ltd co corp plc jan feb mar apr jun jul aug sep
    sept oct nov dec approx est fig figs p pp ca c cf al vol dept mt ft hon""")
)
# A "sentence" longer than this (text with no punctuation) is cut around the claim, so a
# megabyte without full stops cannot make every claim carry a megabyte.
_MAX_SENTENCE = 600
# How far context is read either side of a number.
_LEFT_REACH = 300
_RIGHT_REACH = 200


# --------------------------------------------------------------------------- sentences


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, without surrounding whitespace, in text order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        stop = m.start()
        if text[stop] == ".":
            # The word this full stop ends decides: "Mr.", "U.S.", "No.", "J." go on.
            ws = max(text.rfind(" ", start, stop), text.rfind("\n", start, stop))
            word = text[ws + 1 : stop].lstrip("\"'“‘(").lower()
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        _add_span(text, start, m.end(), spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


class _Sentences:
    """Sentence lookup by offset; the text is split only once a candidate needs it."""

    __slots__ = ("_ends", "_spans", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans: list[tuple[int, int]] = []
        self._ends: list[int] = []

    def span(self, offset: int) -> tuple[int, int]:
        if not self._spans:
            self._spans = sentence_spans(self.text) or [(0, len(self.text))]
            self._ends = [e for _, e in self._spans]
        i = min(bisect_right(self._ends, offset), len(self._spans) - 1)
        start, end = self._spans[i]
        return min(start, offset), end


# --------------------------------------------------------------------------- candidates


@dataclass(slots=True)
class _Num:
    """A number candidate, parsed but not yet judged."""

    start: int  # of the number with its sign and currency
    end: int  # after the number, its scale and any attached unit
    value: float
    unit: str | None  # from a currency symbol or an attached unit
    has_scale: bool
    is_word: bool
    bare_int: str | None  # the digits of a plain integer, for the year check
    qualifier: str | None  # from the number itself: vague plurals, "a dozen", "10,000+"
    joined: bool  # second half of "10-12": a quantity only inside a range


def _from_digits(m: re.Match[str], text: str) -> _Num | None:
    start, end = m.start(), m.end()
    num = m.group("num")
    if len(num) > 1 and num[0] == "0" and num[1] != ".":
        return None  # "0800 ...", "007": phone numbers and codes
    cur = None
    if start and text[start - 1] in _CURRENCY_CHARS:
        cur = text[start - 1]
        start -= 1
        if cur == "$":
            for p in _DOLLAR_PREFIXES:
                at = start - len(p)
                if at >= 0 and text.startswith(p, at) and not (at and text[at - 1].isalnum()):
                    cur = p + "$"
                    start = at
                    break
    sign = ""
    if start and text[start - 1] in "-+−" and (start < 2 or text[start - 2] in ' \t\n("“'):
        sign = text[start - 1]
        start -= 1
    joined = False
    if start:
        before = text[start - 1]
        if before in "-–":
            k = start - 1  # "10-12", "£3m-£5m", "5%-6%": the first half ends in a digit
            while k > start - 4 and k > 0 and text[k - 1] in "%mkbn":
                k -= 1
            joined = k > 0 and text[k - 1].isdigit()
            if not joined and start >= 2 and text[start - 2].isalnum():
                return None  # "COVID-19", "MH-17"
        elif before.isalnum() or before in "_/@#&=:.,\\":
            return None  # glued to a word, a path, an address or another number

    value = float(num.replace(",", ""))
    unit = _CURRENCY_SYMBOL[cur] if cur else None
    has_scale = False
    att = m.group("att")
    if att:
        if att in _SCALE:
            if att == "b" and not cur:
                return None  # "3b" without a currency: a grade, a flat, a bus
            value *= _SCALE[att]
            has_scale = True
        else:
            if cur and att != "%":
                return None
            if att == "p" and num in _VIDEO_LINES:
                return None  # "1440p", "1080p": a screen's lines, not pence
            unit = _ATTACHED[att]
            if att == "p":
                value /= 100
    scale = m.group("scale")
    if scale:
        value *= _SCALE[scale]
        has_scale = True
    if sign in ("-", "−"):
        value = -value
    plain = num.isdigit() and not (cur or att or scale or sign)
    return _Num(
        start,
        end,
        value,
        unit,
        has_scale,
        False,
        num if plain else None,
        "at_least" if m.group("plus") else None,
        joined,
    )


def _word_value(words: str) -> float | None:
    """Value of "twenty-five", "two hundred thousand", "half a million", "a million"."""
    tokens = words.lower().replace("-", " ").split()
    if tokens[0] == "half":
        rest = _word_value(" ".join(tokens[1:]))
        return None if rest is None else rest / 2
    total, current = 0.0, 0.0
    for tok in tokens:
        if tok in ("a", "an"):
            current = 1
        elif tok in _SMALL:
            current += _SMALL[tok]
        elif tok in _TENS:
            current += _TENS[tok]
        elif tok == "hundred":
            current = (current or 1) * 100
        elif tok in _SCALE:
            total += (current or 1) * _SCALE[tok]
            current = 0
        else:
            return None
    return total + current


def _from_words(m: re.Match[str]) -> _Num | None:
    start, end = m.start(), m.end()
    vague = m.group("vague")
    if vague:
        low = vague.lower().split()
        if low[0] in ("several", "a"):
            value = _SCALE[low[-2] if low[-1] == "of" else low[-1]] * 2
        elif len(low) >= 4:  # "tens of thousands of", "hundreds of millions of"
            value = _VAGUE[low[0]] * _SCALE[low[2][:-1]]
        else:
            value = _VAGUE[low[0]]
        return _Num(start, end, value, None, True, True, None, "at_least", False)
    dozen = m.group("dozen")
    if dozen:
        value = 6.0 if dozen[0] in "Hh" else 12.0
        return _Num(start, end, value, None, False, True, None, "approx", False)
    value = _word_value(m.group("word"))
    if not value:
        return None
    has_scale = any(w in _SCALE for w in m.group("word").lower().split())
    return _Num(start, end, value, None, has_scale, True, None, None, False)


# --------------------------------------------------------------------------- context


def _prev_word(text: str, pos: int, lo: int) -> tuple[str, int]:
    """The word (with any attached punctuation) ending just before `pos`, and its start."""
    j = pos
    while j > lo and text[j - 1] in " \t":
        j -= 1
    i = max(text.rfind(" ", lo, j), text.rfind("\n", lo, j), text.rfind("\t", lo, j))
    i = i + 1 if i >= 0 else lo
    return text[i:j], i


def _is_sentence_start(text: str, pos: int, lo: int) -> bool:
    j = pos
    while j > lo and text[j - 1] in " \t\"'“‘(":
        j -= 1
    return j <= lo or text[j - 1] in ".!?:\n"


def _locally_rejected(text: str, num: _Num) -> bool:
    """What the characters right after a number rule out: "10th", "10:30", "10-year"."""
    end = num.end
    nxt = text[end : end + 1]
    if not nxt:
        return False
    if nxt.isalnum() or nxt in "/_@":
        return not num.is_word  # "10th", "1990s", "4G", "24/7"
    after = text[end + 1 : end + 2]
    if nxt in "-–" and after.isalpha():
        return True  # "10-year", "45-year-old", "two-thirds": a compound modifier
    if nxt in ":.," and after.isdigit():
        return True  # "10:30", "3.11.2024", "1,2"
    return not num.is_word and _TIME_AFTER.match(text, end) is not None


def _rejected(text: str, num: _Num, lo: int, limit: int) -> bool:
    """Dates, labels, phone numbers, ratios, "one of", capitalised names."""
    m = _NEXT_WORD.match(text, num.end, limit)
    if m:
        nxt = m.group(1)
        if nxt.lower() in _MONTHS and nxt[0].isupper():
            return True  # "3 November"
        if num.is_word and nxt.lower() == "out" and text.startswith(" of", m.end(1)):
            return True  # "nine out of 10"
    word, wstart = _prev_word(text, num.start, lo)
    if not word:
        return False
    low = word.lower()
    if word[-1] in "#№" or low in _LABEL_BEFORE:
        return True
    if low.rstrip(",") in _MONTHS and word[0].isupper():
        return True  # "November 3"
    if low in ("of", "in"):
        before = _prev_word(text, wstart, lo)[0].lower()
        if before == "out" or (low == "in" and (before in _SMALL or before.isdigit())):
            return True  # "nine out of 10", "one in 16 messages": a ratio
    if not num.is_word:
        if word[-1].isdigit() and text[num.start - 1] == " ":
            return True  # "020 7946 0000": digit groups are a phone number or a code
        if text.startswith(" ", num.end) and text[num.end + 1 : num.end + 2].isdigit():
            return True
    elif text[num.start].isupper() and not _is_sentence_start(text, num.start, lo):
        return True  # "the Six Nations", "Ocean's Eleven"
    if word[0].isupper() and word[-1].isalnum() and num.unit is None and not num.is_word:
        # "Radio 4", "Euro 2004", "Commodore 64"; but "Britain's 5,000 troops" and "About 500"
        # are counts.
        return not (low.endswith(("'s", "’s", "s'", "s’")) or low in _CAPITAL_OK)
    return False


def _left_qualifier(text: str, pos: int, lo: int) -> tuple[str | None, int]:
    """The qualifier phrase ending just before `pos` ("as many as") and where it starts."""
    j = pos
    while j > lo and text[j - 1] in " \t":
        j -= 1
    if j > lo and text[j - 1] == "~":
        return "approx", j - 1
    key = " " + " ".join(text[max(lo, j - 40) : j].lower().split())
    if not key.endswith(_LEFT_KEYS):
        return None, pos
    for phrase, k in zip(_LEFT_PHRASES, _LEFT_KEYS, strict=True):
        if key.endswith(k):
            start = j
            for _ in range(phrase.count(" ") + 1):
                start = _prev_word(text, start, lo)[1]
            return _LEFT_QUALIFIERS[phrase], start
    return None, pos


def _is_projection(text: str, pos: int, lo: int) -> bool:
    """A forecast word in the same clause before `pos` ("could rise to", "is set to")."""
    window = text[max(lo, pos - 90) : pos]
    cut = max(window.rfind(c) for c in ',;:()"“”—')
    words = window[cut + 1 :].split()[-6:]
    if words and words[-1] in ("from", "current", "currently"):
        return False  # "forecast to fall from 2.1%": the figure it starts from
    for i, w in enumerate(words):
        if w in _PROJECTION_CUES or w.endswith("'ll"):
            return True
        if w in _PROJECTION_TO and i + 1 < len(words) and words[i + 1] == "to":
            return True
    return False


def _noun_phrase(text: str, pos: int, limit: int) -> tuple[list[str], int]:
    """The words of the noun phrase starting after `pos`, and where it ends."""
    words: list[str] = []
    ends: list[int] = []
    end = pos
    has_lower = False
    for _ in range(5):
        m = _NEXT_WORD.match(text, end, limit)
        if not m:
            break
        w = m.group(1)
        low = w.lower()
        if low in _STOP:
            break
        if w[0].isupper():
            if has_lower:
                break
        else:
            if low.endswith("ly") and low not in ("family", "supply", "ally"):
                break  # an adverb: "3,000 reportedly ..."
            if has_lower and low.endswith(("ed", "ing")):
                break  # "troops stationed", "people living": the head came before
            has_lower = True
        words.append(w)
        end = m.end()
        ends.append(m.end(1))
        if m.group(2):
            break  # a possessive ("troops' families") ends the phrase
    while words and words[-1].lower() in _MODIFIER_ONLY:
        words.pop()  # "1,000 more" counts nothing by itself
        ends.pop()
    return words, ends[-1] if ends else pos


def _is_plural(low: str) -> bool:
    if low in _INVARIANT:
        return True
    return low.endswith("s") and not low.endswith(("ss", "us", "is"))


def _pluralise(low: str) -> str:
    if low in _IRREGULAR_PLURAL:
        return _IRREGULAR_PLURAL[low]
    if low.endswith("y") and low[-2:-1] not in ("a", "e", "i", "o", "u"):
        return low[:-1] + "ies"
    if low.endswith(("ch", "sh", "x", "z", "s")):
        return low + "es"
    return low + "s"


def _unit_of_phrase(words: list[str], value: float) -> tuple[str | None, bool]:
    """(unit, fatal) for a noun phrase after a number; fatal when the number is no count."""
    head = words[-1]
    low = head.lower()
    if head[0].isupper():
        # "1,500 North Koreans", "200 Britons" count people; other capitalised heads are names.
        if head in _DEMONYMS or (head.endswith(("ans", "ese")) and head[1:].islower()):
            return "people", False
        return None, False
    if low in _DURATION or low in _NOT_COUNTED:
        return None, True
    if "'" in low or "’" in low:
        return None, False  # a contraction ("there's") is no noun
    unit = _UNIT_OF.get(low)
    if unit is None and low.endswith(("ed", "ing", "ly")):
        return None, False  # a verb or adverb: "3,000 died"
    if low == "personnel" and _MILITARY.intersection(w.lower() for w in words[:-1]):
        unit = "troops"
    if low == "cents" and any(w.lower() == "euro" for w in words[:-1]):
        unit = "eur"
    if unit == "usd":
        mods = {w.lower() for w in words[:-1]}
        for mod, code in (("australian", "aud"), ("canadian", "cad"), ("kong", "hkd")):
            if mod in mods:
                unit = code
    if unit in _AREA_OK and len(words) > 1 and words[-2].lower() == "square":
        unit = "square_" + unit  # an area: "50,000 square metres"
    if unit is not None:
        return unit, False
    if low in ("feet", "foot") and len(words) > 1 and words[-2].lower() == "square":
        return "square_feet", False
    if not _is_plural(low):
        if value != 1:
            return None, True  # "a 2004 election", "a 10 point lead": a modifier
        return _pluralise(low), False
    return low, False


def _find_unit(
    text: str, num: _Num, limit: int, end: int | None = None
) -> tuple[str | None, str | None, int, bool]:
    """(unit, subject, end of the claim text, fatal) from what follows the number (or `end`).

    Pence and cents come back as "gbp"/"usd"/"eur" with a subject ending "pence"/"cents":
    `_per_unit` turns the value into pounds, dollars or euros."""
    end = num.end if end is None else end
    if num.unit is not None:
        subject = _of_phrase(text, end, limit) if num.unit == "percent" else None
        return num.unit, subject, end, False
    m = _PERCENT_AFTER.match(text, end, limit)
    if m:
        word = m.group().lower()
        if "percentage" in word:
            unit = "percentage_points"
        elif "basis" in word:
            unit = "basis_points"
        else:
            unit = "percent"
        return unit, _of_phrase(text, m.end(), limit), m.end(), False
    words, wend = _noun_phrase(text, end, limit)
    if not words:
        return None, None, end, False
    unit, fatal = _unit_of_phrase(words, num.value)
    if unit is None:
        return None, None, end, fatal
    head = words[-1].lower()
    if unit == "krw" and num.value < 100 and not num.has_scale:
        return None, None, end, True  # "they have 3 won": a verb
    if unit == "gbp" and head.startswith("pound") and _weight(text, num, wend):
        unit = "lb"
    if num.has_scale and not num.is_word and head in _RACE:
        return None, None, end, True  # "the 100m hurdles"
    return unit, text[end:wend].strip(), wend, False


# "Pounds" without "£" is a weight as often as money: on the English pages of
# bench/extraction_real.py every such claim was a weight ("she had gained 83 pounds", "Alley
# lost 75 pounds"), as the one in the BBC corpus ("overloaded by 700 pounds (320kg)"), while
# the BBC's money is "five pounds for a ticket" or has a scale ("millions of pounds").
_WEIGHT_BEFORE = re.compile(
    r"\b(?:weigh\w*|gain\w*|lost|los(?:e|es|ing)|shed\w*|dropp\w*|put on|overload\w*)\b"
    r"(?:\W+\w+){0,2}\W*$",
    re.I,
)
_PER_TIME = re.compile(r"\s+(?:a|an|per|each|every)\s+(?:hour|day|week|month|year)\b", re.I)
_WEIGHT_AFTER = re.compile(
    r"\s*(?:of\s+(?!the\b|his\b|her\b|their\b|its\b)\w|\(\s*[\d.,]+\s*kg)", re.I
)


def _weight(text: str, num: _Num, end: int) -> bool:
    """Whether the pounds counted are a weight: weighed, gained or lost, or "of" something,
    or followed by their kilograms; money with a scale ("millions of pounds") stays money."""
    if num.has_scale:
        return False
    if _PER_TIME.match(text, end):
        return False  # "five pounds a week"
    before = text[max(0, num.start - 30) : num.start]
    return bool(_WEIGHT_BEFORE.search(before) or _WEIGHT_AFTER.match(text, end))


def _per_unit(value: float, subject: str | None) -> float:
    """The value in whole currency units when it was counted in pence or cents."""
    if subject and subject.lower().endswith(("pence", "cents")):
        return value / 100
    return value


def _of_phrase(text: str, pos: int, limit: int) -> str | None:
    """The noun phrase in "5% of <phrase>", for percentages."""
    m = _OF_AFTER.match(text, pos, limit)
    if not m:
        return None
    words, end = _noun_phrase(text, m.end() - 1, limit)
    if not words or words[-1][0].isupper():
        return None
    return text[m.end() : end].strip() or None


# --------------------------------------------------------------------------- claims


@dataclass(slots=True)
class _Draft:
    num: _Num
    start: int  # of the claim text, qualifier included
    end: int  # of the claim text
    value: float
    value_high: float | None
    qualifier: str | None
    unit: str | None
    subject: str | None


def _candidates(text: str) -> list[_Num]:
    nums: list[_Num] = []
    for m in _DIGITS.finditer(text):
        n = _from_digits(m, text)
        if n is not None and not _locally_rejected(text, n):
            nums.append(n)
    words: list[_Num] = []
    # The separator cannot match before offset 0, hence the first word's own check.
    starts = [m.start() + 1 for m in _WORD_START.finditer(text)]
    if _WORD_START.match(" " + text[:30]):
        starts.insert(0, 0)
    for pos in starts:
        m = _WORDS.match(text, pos)
        if m is not None and (n := _from_words(m)) is not None:
            words.append(n)
    words = [n for n in words if not _locally_rejected(text, n)]
    if not words:
        return nums
    out: list[_Num] = []
    for n in sorted(nums + words, key=lambda n: n.start):
        if not out or n.start >= out[-1].end:  # "thousands" inside "tens of thousands of"
            out.append(n)
    return out


def find_claims(text: str, max_claims: int | None = None) -> list[Claim]:
    """Numeric claims in `text`, in text order. Pure; no exception on odd input.

    With `max_claims`, the first `max_claims` of them (the same as slicing the full list),
    found without judging the numbers after them: a table of figures pasted as text stops
    costing time once they are found.
    """
    if not text or (max_claims is not None and max_claims <= 0):
        return []
    nums = _candidates(text)
    if not nums:
        return []
    sentences = _Sentences(text)
    drafts: list[_Draft] = []
    # A draft with a unit always becomes a claim (_finish drops only unit-less ones it cannot
    # resolve), so once `max_claims` of them are drafted no later number can be among them.
    sure = 0
    i = 0
    while i < len(nums):
        if max_claims is not None and sure >= max_claims:
            break
        num = nums[i]
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        i += 1
        if num.joined:
            continue  # second half of "3-1" or "2024-10-22" that no range claimed
        s_start, s_end = sentences.span(num.start)
        lo = max(s_start, num.start - _LEFT_REACH)
        limit = min(s_end, num.end + _RIGHT_REACH)
        if _rejected(text, num, lo, limit):
            continue
        unit, subject, end, fatal = _find_unit(text, num, limit)
        if fatal:
            continue
        or_more = None
        if unit is None and (or_more := _AT_LEAST_AFTER.match(text, num.end, limit)):
            unit, subject, end, fatal = _find_unit(text, num, limit, or_more.end())
            if fatal:
                continue  # "300 or more people": the bound stands between number and noun

        # Ranges: "10,000-12,000 troops", "between 10 and 12 million", "two or three people".
        if nxt is not None and nxt.start - num.end <= 7 and (unit is None or num.unit):
            conn = _CONNECTOR.fullmatch(text, num.end, nxt.start)
            if conn is not None:
                draft = _range(text, num, nxt, conn.group().strip(), lo, limit)
                if draft is not None:
                    drafts.append(draft)
                    sure += draft.unit is not None
                    i += 1
                    continue
        if unit is None and nxt is not None and nxt.joined and nxt.start == num.end + 1:
            i += 1  # "3-1", "2024-10-22": neither half is a quantity
            continue
        if num.bare_int and _year_like(num.bare_int) and unit not in ("troops", "people"):
            continue  # "2004 election" is caught as a modifier; this is "in 2004" and kin

        qualifier = num.qualifier
        left, q_start = _left_qualifier(text, num.start, lo)
        if left and qualifier != "at_least":
            qualifier = left
        if or_more is None and (m := _AT_LEAST_AFTER.match(text, end, limit)):
            or_more, end = m, m.end()  # "10,000 troops or more"
        if or_more is not None and qualifier in (None, "approx"):
            qualifier = "at_least"
        elif qualifier is None and (m := _APPROX_AFTER.match(text, end, limit)):
            qualifier, end = "approx", m.end()
        value = _per_unit(num.value, subject)
        start = q_start if left else num.start
        drafts.append(_Draft(num, start, end, value, None, qualifier, unit, subject))
        sure += unit is not None
    claims = _finish(text, drafts, sentences)
    return claims if max_claims is None else claims[:max_claims]


def _year_like(digits: str) -> bool:
    return len(digits) == 4 and 1800 <= int(digits) <= 2100


def _range(text: str, a: _Num, b: _Num, conn: str, lo: int, limit: int) -> _Draft | None:
    """A range from two numbers joined by "-", "to", "and" (after "between") or "or"."""
    prev = _prev_word(text, a.start, lo)[0].lower()
    if conn == "and" and prev != "between":
        return None
    if a.bare_int and _year_like(a.bare_int):
        return None
    if conn == "to" and (prev in _CHANGE_WORDS or _left_qualifier(text, a.start, lo)[0]):
        return None  # "rose from 3,000 to 10,000", "lost $2 to $43.25": a change and a level
    if conn in ("-", "–") and not b.joined:
        return None  # "10 - 12" with spaces is a dash between clauses
    if _rejected(text, b, lo, limit):
        return None
    unit_b, subject, end, fatal = _find_unit(text, b, limit)
    if fatal:
        return None
    # The second figure says what is counted ("10-12 people"), or shares the first one's
    # currency ("$10-25m"); but "to" does not carry it: "rose by 12% to 100 million".
    if unit_b is None and conn != "to":
        unit_b = a.unit
    if unit_b is None or (a.unit is not None and a.unit != unit_b):
        return None
    unit = unit_b
    low = a.value
    if b.has_scale and not a.has_scale and 0 < low < 1000:
        low *= _scale_of(b.value)  # "between 10 and 12 million": 10 million
    if not low < b.value:
        return None  # "3-1", "2-0": scores
    if conn != "and" and low > 0 and b.value > 10 * low:
        return None  # "halved in 2004 to $200m": too wide to be one estimate
    start = _prev_word(text, a.start, lo)[1] if conn == "and" else a.start
    high = _per_unit(b.value, subject)
    if high != b.value and a.unit is None:
        low = _per_unit(low, subject)  # "50-60 pence"; in "£1-50p" the pounds stay pounds
    return _Draft(a, start, end, low, high, "range", unit, subject)


def _scale_of(value: float) -> float:
    for scale in (1e12, 1e9, 1e6, 1e3):
        if abs(value) >= scale:
            return scale
    return 1.0


def _finish(text: str, drafts: list[_Draft], sentences: _Sentences) -> list[Claim]:
    claims: list[Claim] = []
    last: tuple[str, str | None, int] | None = None  # unit, subject, offset of the last claim
    for d in drafts:
        s_start, s_end = sentences.span(d.num.start)
        lo = max(s_start, d.start - _LEFT_REACH)
        unit, subject = d.unit, d.subject
        if unit is None:
            unit, subject = _anaphor(text, d, lo, last)
            if unit is None:
                continue
        qualifier = d.qualifier or "exact"
        horizon = None
        if qualifier in ("exact", "approx") and _is_projection(text, d.start, lo):
            qualifier = "projection"
            horizon = _horizon(text, d, lo, s_end)
        claims.append(
            Claim(
                value=d.value,
                value_high=d.value_high,
                qualifier=qualifier,
                unit=unit,
                subject=subject or None,
                horizon=horizon,
                text=text[d.start : d.end],
                sentence=_sentence_text(text, s_start, s_end, d.start, d.end),
                offset=d.start,
            )
        )
        last = (unit, subject, d.start)
    return claims


def _anaphor(
    text: str, d: _Draft, lo: int, last: tuple[str, str | None, int] | None
) -> tuple[str | None, str | None]:
    """What a unit-less number counts: "the number of troops ... 12,000", "this number"."""
    found = None
    for m in _NUMBER_OF.finditer(text, max(lo, d.start - 200), d.start):
        found = m
    if found is None:
        if _DEATH_TOLL.search(text, max(lo, d.start - 200), d.start):
            return "deaths", "death toll"
        return None, None
    if found.group().lower().endswith("of"):
        words, end = _noun_phrase(text, found.end(), d.start)
        if not words:
            return None, None
        unit, _ = _unit_of_phrase(words, 2)
        return (unit, text[found.end() : end].strip()) if unit else (None, None)
    # "this number", "the figure": the last thing counted, if it was counted nearby.
    if last is not None and d.start - last[2] < 400:
        return last[0], last[1]
    return None, None


def _horizon(text: str, d: _Draft, lo: int, s_end: int) -> str | None:
    # Only as far as the clause goes: in "3.6% in 2004, slipping to 2.9% next year" the
    # horizon belongs to the second figure.
    end = min(s_end, d.end + 120)
    for stop in ",;(":
        i = text.find(stop, d.end, end)
        if i >= 0:
            end = i
    m = _HORIZON.search(text, d.end, end)
    if m is None:
        m = _HORIZON.search(text, max(lo, d.start - 120), d.start)
    return " ".join(m.group().split()) if m else None


def _sentence_text(text: str, s_start: int, s_end: int, c_start: int, c_end: int) -> str:
    if s_end - s_start <= _MAX_SENTENCE:
        return text[s_start:s_end]
    half = _MAX_SENTENCE // 2
    a = max(s_start, c_start - half)
    b = min(s_end, c_end + half)
    if a > s_start:
        sp = text.find(" ", a, c_start)
        a = sp + 1 if sp >= 0 else a
    if b < s_end:
        sp = text.rfind(" ", c_end, b)
        b = sp if sp >= 0 else b
    return text[a:b].strip()
