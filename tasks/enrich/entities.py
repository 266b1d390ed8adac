"""Named entities: persons, organisations and places, with mention counts and folded aliases.

Rule-based and gazetteer-driven, so it runs inside the extraction worker at several hundred
articles a second with no model to download. One regex pass finds candidate spans (runs of
capitalised words with connectors such as "of", "de", "al-"); each span is cut into known
names (a dictionary lookup of every token window, longest first) and unknown runs, which are
typed by cues: a title before them ("President", "Mr"), a known given name, an
organisation head word ("Ministry", "Bank"), an acronym, or "in X" for places. Runs that no
cue types are dropped: precision over recall.

Aliases fold to one canonical name: the gazetteer maps variants ("Zelensky", "Kiev",
"North Korean") to an entry, and inside one article a later surname-only mention ("Yoon",
"Mr Barrot") folds to the full name seen anywhere in the same article.

Data: tasks/enrich/data/entities.toml (cue words, organisations, persons),
tasks/enrich/data/places.toml (countries, capitals, cities, regions),
tasks/enrich/data/entities_given_names.txt. Extra TOML files
of the same shape can be named in NEWSFLOW_ENTITIES (os.pathsep-separated); their entries are
merged over the shipped ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

from tasks.enrich.given_names import GIVEN_NAMES_FILE, read_given_names
from tasks.errors import ConfigError
from tasks.settings import read_toml, settings

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FILES = (DATA_DIR / "entities.toml", DATA_DIR / "places.toml")
EXTRA_ENV = "NEWSFLOW_ENTITIES"

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"
_KINDS = {"person": PERSON, "organisation": ORGANISATION, "place": PLACE}

# A capitalised word this common in lowercase English ("However", "Officials") is not a
# name when it starts a sentence.
_COMMON_ZIPF = 3.5
_MAX_PERSON_TOKENS = 4
# No name is longer ("US Court of Appeals for the District of Columbia" is 9); a longer run
# of capitals is a heading or a list, and looking at it whole would cost quadratic time.
_MAX_NAME_TOKENS = 15


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    entity_type: str  # 'person' | 'organisation' | 'place'
    mentions: int
    country_code: str | None
    first_offset: int  # offset in `text` of the first mention; -1 when only in the title


# --------------------------------------------------------------------------- normalising

_NORM_TABLE = str.maketrans({"’": "'", "‘": "'", "`": "'", ".": None, "-": " ", "‐": " "})


@lru_cache(maxsize=1 << 16)
def _norm(token: str) -> str:
    """Lookup key: lowercase, no dots, hyphens as spaces, no accents ("Jean-Noël" = "jean noel")."""
    key = token.translate(_NORM_TABLE).lower()
    if key[1:2] == "'" and key[:1] in ("d", "l") and len(key) > 2:
        key = key[2:]  # French elision: "l'Ukraine" is Ukraine
    if not key.isascii():
        key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    return key


def norm_key(name: str) -> str:
    return " ".join(_norm(t) for t in name.split())


@lru_cache(maxsize=1 << 16)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True, slots=True)
class Known:
    name: str
    kind: str
    code: str | None


class GazetteerError(ConfigError):
    """A gazetteer file cannot be used: a configuration error, named with its file."""


@dataclass
class Gazetteer:
    """Everything the matcher looks up; build with `Gazetteer.load`."""

    aliases: dict[str, Known] = field(default_factory=dict)  # norm key -> entry
    # Aliases folded only in an article that names the entry in full ("Kim" -> Kim Jong Un).
    short_by_name: dict[str, list[str]] = field(default_factory=dict)
    max_len: dict[str, int] = field(default_factory=dict)  # first word -> longest key, words
    # Aliases written in capitals only ("IS", "WHO", "US"): "Is", "Who", "Us" are words.
    upper_only: set[str] = field(default_factory=set)
    _mixed_case: set[str] = field(default_factory=set)
    # One-word aliases that are also given names ("Jordan", "Georgia"): before a surname they
    # start a person's name.
    name_like: set[str] = field(default_factory=set)
    ignore: set[str] = field(default_factory=set)  # consumed, never reported
    titles: set[str] = field(default_factory=set)
    honorifics: set[str] = field(default_factory=set)
    role_words: set[str] = field(default_factory=set)
    org_heads: set[str] = field(default_factory=set)
    org_of_heads: set[str] = field(default_factory=set)
    place_heads: set[str] = field(default_factory=set)
    place_of_heads: set[str] = field(default_factory=set)
    place_cues: set[str] = field(default_factory=set)
    person_verbs: set[str] = field(default_factory=set)
    skip_words: set[str] = field(default_factory=set)
    closed_words: set[str] = field(default_factory=set)
    stop_acronyms: set[str] = field(default_factory=set)
    common_aliases: set[str] = field(default_factory=set)  # count only mid-sentence
    quote_verbs: set[str] = field(default_factory=set)
    surname_heads: set[str] = field(default_factory=set)
    place_cue_blockers: set[str] = field(default_factory=set)
    acronym_before: set[str] = field(default_factory=set)
    acronym_after: set[str] = field(default_factory=set)
    non_surnames: set[str] = field(default_factory=set)
    hyphen_suffixes: set[str] = field(default_factory=set)
    given_names: set[str] = field(default_factory=set)
    sport_words: tuple[str, ...] = ()
    sport_aliases: dict[str, Known] = field(default_factory=dict)
    sport_clubs: set[str] = field(default_factory=set)  # towns that are clubs in sport talk
    sport_org_heads: set[str] = field(default_factory=set)  # "Exeter City", "Notts County"
    _sport_rx: re.Pattern[str] | None = None

    def sport_pattern(self) -> re.Pattern[str]:
        if self._sport_rx is None:
            self._sport_rx = re.compile("|".join(map(re.escape, self.sport_words)))
        return self._sport_rx

    @classmethod
    def load(
        cls, files: Sequence[Path] = DEFAULT_FILES, given_names: Path | None = GIVEN_NAMES_FILE
    ) -> Gazetteer:
        gaz = cls()
        for path in files:
            data = read_toml(path, "gazetteer", GazetteerError)
            try:
                gaz.merge(data)
            except (TypeError, ValueError, AttributeError) as exc:
                raise GazetteerError(f"{path}: not a gazetteer file: {exc}") from exc
        if given_names is not None:
            gaz.given_names.update(_norm(w) for w in read_given_names(given_names))
        # A given name that is also a place or an organisation ("Georgia", "Chelsea") is no cue
        # on its own.
        gaz.name_like = gaz.given_names & gaz.aliases.keys()
        gaz.given_names -= gaz.aliases.keys()
        gaz.upper_only -= gaz._mixed_case
        return gaz

    def merge(self, data: dict) -> None:
        """Add one TOML document's entries; later documents win on a shared alias."""
        cues = data.get("cues", {})
        for name in (
            "titles", "honorifics", "role_words", "org_heads", "org_of_heads", "place_heads",
            "place_of_heads", "place_cues", "person_verbs", "skip_words", "closed_words",
            "stop_acronyms", "hyphen_suffixes", "common_aliases", "quote_verbs", "surname_heads",
            "place_cue_blockers", "acronym_before", "acronym_after", "sport_clubs", "non_surnames",
            "sport_org_heads",
        ):  # fmt: skip
            getattr(self, name).update(_norm(w) for w in cues.get(name, ()))
        if "sport_words" in cues:
            self.sport_words = tuple(dict.fromkeys((*self.sport_words, *cues["sport_words"])))
            self._sport_rx = None
        for word in data.get("ignore", {}).get("names", ()):
            self._add_key(norm_key(word), None)
        for kind_name, kind in _KINDS.items():
            for entry in data.get(kind_name, ()):
                known = Known(entry["name"], kind, entry.get("code"))
                for alias in (entry["name"], *entry.get("aliases", ())):
                    key = norm_key(alias)
                    self._add_key(key, known)
                    letters = "".join(c for c in alias if c.isalpha())
                    if letters.isupper() and len(letters) <= 5:
                        self.upper_only.add(key)
                    else:
                        self._mixed_case.add(key)
                shorts = self.short_by_name.setdefault(known.name, [])
                shorts += [norm_key(a) for a in entry.get("short", ())]
                for alias in entry.get("sport_aliases", ()):
                    self.sport_aliases[norm_key(alias)] = known

    def _add_key(self, key: str, known: Known | None) -> None:
        if not key:
            return
        if known is None:
            self.ignore.add(key)
            self.aliases.pop(key, None)
        else:
            self.aliases[key] = known
            self.ignore.discard(key)
        first, _, _ = key.partition(" ")
        self.max_len[first] = max(self.max_len.get(first, 0), key.count(" ") + 1)


def default_gazetteer() -> Gazetteer:
    """The shipped data plus any files named in NEWSFLOW_ENTITIES now; each set of files is
    loaded once per process."""
    return _gazetteer(tuple(user_files()))


@lru_cache(maxsize=2)
def _gazetteer(extra: tuple[Path, ...]) -> Gazetteer:
    return Gazetteer.load((*DEFAULT_FILES, *extra))


def user_files() -> list[Path]:
    """The gazetteer files a user added with NEWSFLOW_ENTITIES."""
    return list(settings().entities_files)


# --------------------------------------------------------------------------- candidate spans


def _char_class(pred: Callable[[str], bool]) -> str:
    """A regex character class body of every BMP character for which `pred` holds."""
    out, start, prev = [], None, None
    for cp in range(0x10000):
        if pred(chr(cp)):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = None
    return "".join(out)


_U = _char_class(lambda c: c.isupper() or c.istitle())
_ABBR = (  # abbreviations that keep their dot inside a name: "Mr. Putin", "St. Louis"
    "Mr|Mrs|Ms|Mx|Dr|St|Mt|Ft|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Prof|Rev|Jr|Sr|Adm|Maj|Cpl|Supt"
    "|Insp|Det|Hon|Rt"
)
_TOKEN = (
    rf"(?:{_ABBR})\."  # Mr. Dr. St.
    rf"|[{_U}](?:\.[{_U}])+\.?(?:-[a-z]+)*"  # U.S. U.N. J.K. U.S.-led
    rf"|[{_U}]\.(?=[ \u00a0]+[{_U}])"  # an initial inside a name: George W. Bush
    rf"|(?:al|el|bin|ibn|abu)-[{_U}]\w*"  # al-Qaeda, al-Assad
    rf"|[ei][{_U}]\w*"  # eBay, iTunes
    rf"|[dl]['’][{_U}]\w*"  # French elision: d'Ivoire, l'Ukraine
    rf"|[{_U}]\w*(?:['’][{_U}]\w*)*(?:&[{_U}]+)?(?:-\w+(?:['’][{_U}]\w*)?)*"
)
_CONNECTOR = (
    r"of(?: the)?|for(?: the)?|and|&|upon|de(?: la)?|du|da|di|del|della|der|den"
    r"|van(?: de[rn]?)?|von(?: der)?|la|le|bin|ibn|al|el|y|dos|das"
)
_SPAN = re.compile(
    rf"(?<!\w)(?:{_TOKEN})(?:[ \u00a0]+(?:(?:{_CONNECTOR})[ \u00a0]+)?(?:{_TOKEN}))*"
)
# Connectors that join two names into one only when the first part is a head ("Bank of").
_STRUCTURAL = frozenset({"of", "for", "and", "&", "upon", "the"})
_PREV_WORD = re.compile(r"(\w+)[ \u00a0]+$")
_NEXT_WORD = re.compile(r"[ \u00a0]+(\w+)")
_PREV_TWO = re.compile(r"(\w+)[ \u00a0]+\w+[ \u00a0]+$")
_ACRONYM_DEF = re.compile(r"[ \u00a0]*\(([A-Z][A-Z&]{1,6})\)")
_SENTENCE_END = ".!?:;…\n"
_SENTENCE_CLOSE = ".!?\"”’'"
_OPENERS = " \t\u00a0\"“‘'(«[–—-*•"


# --------------------------------------------------------------------------- scanning


@dataclass(slots=True)
class _Mention:
    tokens: list[str]
    offset: int  # in `text`; -1 for the title
    kind: str | None  # None: a bare word, kept only if it folds to a name found elsewhere
    known: Known | None = None
    weak: bool = False  # evidence too thin to stand alone: kept only if it folds


class _Scanner:
    """Candidate mentions of one text (the title or the body), in order."""

    def __init__(self, gaz: Gazetteer, text: str, in_title: bool, sport: bool) -> None:
        self.gaz, self.text, self.in_title, self.sport = gaz, text, in_title, sport
        self.mentions: list[_Mention] = []
        self.acronyms: dict[str, int] = {}  # "nis" -> index of "National Intelligence Service"
        self._lines: dict[int, tuple[bool, bool]] = {}  # line start -> (headline, capitals)
        self._title_headline = in_title and _title_case(text)
        self.capitals = False

    def scan(self) -> None:
        for m in _SPAN.finditer(self.text):
            self._span(m.group(), m.start(), m.end())

    # -- context around a span

    def _sentence_initial(self, pos: int) -> bool:
        text, j = self.text, pos - 1
        while j >= 0 and text[j] in _OPENERS:
            j -= 1
        return j < 0 or text[j] in _SENTENCE_END

    def _line_case(self, pos: int) -> tuple[bool, bool]:
        """Whether the line holding `pos` is a headline (Title Case, where a capital proves
        nothing) and whether it is all capitals (where "WHO" is the word, not the agency)."""
        start = self.text.rfind("\n", 0, pos) + 1
        cached = self._lines.get(start)
        if cached is None:
            end = self.text.find("\n", pos)
            line = self.text[start : end if end >= 0 else len(self.text)].rstrip()
            capitals = line.isupper() and sum(c.isalpha() for c in line) >= 4
            # A line ending like a sentence is prose, however many capitals it has.
            headline = capitals or (
                bool(line) and line[-1] not in _SENTENCE_CLOSE and _title_case(line)
            )
            cached = self._lines[start] = (headline, capitals)
        return cached

    def _prev_word(self, pos: int) -> str:
        m = _PREV_WORD.search(self.text, max(0, pos - 30), pos)
        return m.group(1).lower() if m else ""

    def _next_word(self, pos: int) -> str:
        m = _NEXT_WORD.match(self.text, pos)
        return m.group(1).lower() if m else ""

    # -- one span

    def _span(self, span: str, start: int, end: int) -> None:
        if " " not in span and "\u00a0" not in span:
            # Most spans are one capitalised word, and most of those are "The", "But", "He".
            key = _norm(span)
            if key in self.gaz.closed_words and key not in self.gaz.max_len:
                return
        tokens = span.split()
        offsets, pos = [], 0
        for tok in tokens:
            pos = span.find(tok, pos)
            offsets.append(start + pos)
            pos += len(tok)
        keys = [_norm(t) for t in tokens]
        tokens, keys, offsets = self._split_hyphens(tokens, keys, offsets)
        self.tokens, self.keys, self.offsets = tokens, keys, offsets
        # First word of each token's key: what the gazetteer's prefix table is keyed on.
        self.heads = [k.partition(" ")[0] for k in keys]
        headline, self.capitals = self._line_case(start)
        self.headline = self._title_headline or headline
        before = len(self.mentions)

        n, i = len(tokens), 0
        initial = self._sentence_initial(start)
        while n - i > 1 and not self.headline:
            start_i = i
            i, initial = self._whole_span_head(i, n, initial)
            # A name that ended at a connector ("Leicester Square for the UK"): the rest of
            # the span may be one too.
            if not (start_i < i < n and keys[i - 1] in _STRUCTURAL):
                break
        while i < n:
            i, initial = self._step(i, n, initial)
        if len(self.mentions) > before:
            self._note_acronym(end)

    def _split_hyphens(
        self, tokens: list[str], keys: list[str], offsets: list[int]
    ) -> tuple[list[str], list[str], list[int]]:
        """Cut "U.S.-led" to "U.S."; split "Russia-Ukraine" when both parts are known."""
        gaz = self.gaz
        if not any("-" in t for t in tokens):
            return tokens, keys, offsets
        out_t, out_k, out_o = [], [], []
        for tok, key, off in zip(tokens, keys, offsets, strict=True):
            if "-" in tok and key not in gaz.aliases and key not in gaz.ignore:
                parts = tok.split("-")
                while len(parts) > 1 and _norm(parts[-1]) in gaz.hyphen_suffixes:
                    parts.pop()
                if len(parts) == 1 or all(_norm(p) in gaz.aliases for p in parts):
                    pos = off
                    for p in parts:
                        out_t.append(p)
                        out_k.append(_norm(p))
                        out_o.append(pos)
                        pos += len(p) + 1
                    continue
            out_t.append(tok)
            out_k.append(key)
            out_o.append(off)
        return out_t, out_k, out_o

    def _whole_span_head(self, i: int, n: int, initial: bool) -> tuple[int, bool]:
        """A span ending in an organisation or place head word is one name: "Korea Times",
        "Russian Defence Ministry", "London School of Economics"."""
        gaz, keys = self.gaz, self.keys
        while i < n and keys[i] in gaz.closed_words and self._known_at(i)[0] == i:
            i, initial = i + 1, False
        if not 2 <= n - i <= _MAX_NAME_TOKENS:
            return i, initial
        long_org = n - i >= 3 and keys[-1] in gaz.org_heads
        if initial and not long_org and self._common_start(i, n) and self._known_at(i)[0] == i:
            i, initial = i + 1, False
            if n - i < 2:
                return i, initial
        # A connector after a complete name ends it: "Leicester Square for the UK", but
        # "Department for Work" and "EU Political and Security Committee" go on.
        for c in range(i + 2, n - 1):
            if keys[c] in _STRUCTURAL and self.tokens[c][0].islower():
                before = keys[c - 1]
                of_head = keys[c] in ("of", "for") and (
                    before in gaz.org_of_heads or before in gaz.place_of_heads
                )
                if not of_head and (before in gaz.org_heads or before in gaz.place_heads):
                    kind = ORGANISATION if before in gaz.org_heads else PLACE
                    if self._known_at(i)[0] != c:
                        self._add(i, c, kind)
                        return c + 1, False
                break
        body = keys[i:]
        words = [k for k, t in zip(body, self.tokens[i:], strict=True) if not t[0].islower()]
        if not words or any(k in gaz.skip_words or k in gaz.closed_words for k in words):
            return i, initial
        if words[0] in gaz.titles or (
            body[-1] not in gaz.org_heads and any(k in gaz.titles for k in words)
        ):
            return i, initial  # a title inside an organisation's name is no title
        if self._known_at(i)[0] == n:
            return i, initial
        if n - i == 2 and keys[i] in gaz.given_names and keys[i + 1] in gaz.surname_heads:
            return i, initial  # "Dwain Chambers", "Nathan Lane": a person
        if "and" in body or "&" in body:
            # "China Construction Bank and Bank of China": two names, unless the part before
            # "and" is no name of its own ("EU Political and Security Committee").
            cut = i + min(body.index(w) for w in ("and", "&") if w in body)
            before = keys[cut - 1]
            if (
                before in gaz.org_heads
                or before in gaz.place_heads
                or self._known_at(cut - 1)[0] == cut
                or self._known_at(i)[0] == cut
            ):
                return i, initial
        if self.sport and body[-1] in gaz.sport_org_heads:
            self._add(i, n, ORGANISATION)  # "Exeter City", "Preston North End"
            return n, False
        kind = None
        has_of = any(
            body[k + 1] in ("of", "for")
            and (body[k] in gaz.org_of_heads or body[k] in gaz.place_of_heads)
            for k in range(len(body) - 1)
        )
        if body[-1] in gaz.org_heads or (has_of and any(k in gaz.org_of_heads for k in body)):
            kind = ORGANISATION
        elif body[-1] in gaz.place_heads or has_of:
            kind = PLACE
        if kind is None:
            return i, initial
        self._add(i, n, kind)
        return n, False

    def _step(self, i: int, n: int, initial: bool) -> tuple[int, bool]:
        gaz, tokens, keys = self.gaz, self.tokens, self.keys
        key, tok = keys[i], tokens[i]
        if tok[0].islower() and key in _CONNECTOR_WORDS:
            return i + 1, initial  # a connector left over at a cut
        # "the U.S. The president": a sentence ended inside the span.
        if i and tokens[i - 1].endswith(".") and key in gaz.closed_words:
            initial = True
        j, known = self._known_at(i)
        if j > i:
            if known is not None and j == i + 1 < n and not tok.isupper():
                nxt = keys[j]
                unknown_next = (
                    tokens[j][0].isupper()
                    and self.heads[j] not in gaz.max_len
                    and nxt not in gaz.titles
                    and nxt not in gaz.closed_words
                    and nxt not in gaz.skip_words
                    and nxt not in gaz.org_heads
                    and nxt not in gaz.place_heads
                )
                if unknown_next and (
                    known.kind == PERSON or (key in gaz.name_like and _zipf(nxt) < 4.65)
                ):
                    # A one-word alias before a surname is a first name: "Sharon Stone",
                    # "Jordan Bratman", "Paris Hilton".
                    end = self._person_end(i, n)
                    if end > j:
                        self._add(i, end, PERSON, weak=self.headline)
                        return end, False
                if unknown_next and known.kind == PLACE and not self.headline and _zipf(nxt) < 4.0:
                    # "Porto Alegre", "Santa Cruz": a longer place than the one we know.
                    return self._unknown_run(i, n, force=True), False
            if known is not None and not self._ambiguous(i, j, initial):
                self._add(i, j, known.kind, known)
            return j, False
        if key in gaz.closed_words or key in gaz.skip_words:
            return i + 1, initial and key in gaz.closed_words
        if initial and self._common_start(i, n):
            return i + 1, False
        if key in gaz.titles:
            return self._after_title(i, n), False
        return self._unknown_run(i, n), False

    def _known_at(self, i: int) -> tuple[int, Known | None]:
        """Longest gazetteer (or ignore-list) match starting at token i: (end, entry)."""
        gaz, keys = self.gaz, self.keys
        longest = gaz.max_len.get(self.heads[i], 0)
        for j in range(min(len(keys), i + longest), i, -1):
            k = " ".join(keys[i:j]) if j - i > 1 else keys[i]
            if k in gaz.upper_only and (
                self.capitals or not all(t.isupper() for t in self.tokens[i:j])
            ):
                continue
            known = gaz.aliases.get(k)
            # In sport talk a town is its club ("Leicester won"), unless it is "in X".
            if (
                self.sport
                and (k in gaz.sport_aliases or k in gaz.sport_clubs)
                and self._prev_word(self.offsets[i]) not in gaz.place_cues
            ):
                if k in gaz.sport_aliases:
                    return j, gaz.sport_aliases[k]
                if known is not None and known.kind == PLACE:
                    return j, Known(known.name, ORGANISATION, known.code)
            if known is not None:
                return j, known
            if k in gaz.ignore:
                return j, None
        return i, None

    def _ambiguous(self, i: int, j: int, initial: bool) -> bool:
        """An alias that is also a common word ("Sky", "Orange"), where its capital proves
        nothing: at a sentence start or in a Title Case line."""
        return j - i == 1 and (initial or self.headline) and self.keys[i] in self.gaz.common_aliases

    def _common_start(self, i: int, n: int) -> bool:
        """A sentence-initial capital on a frequent word ("Officials", "Despite")."""
        tok, key = self.tokens[i], self.keys[i]
        if tok.isupper() and len(tok) > 1:
            return False
        if key in self.gaz.titles:
            return False
        if (key in self.gaz.given_names or len(key) == 1) and i + 1 < n:
            return False  # "Mark Rutte said", "R Russell"
        return _zipf(key) >= _COMMON_ZIPF

    def _after_title(self, i: int, n: int) -> int:
        """Title words ("Foreign Minister", "Secretary of State for X"), then the person named."""
        gaz, keys = self.gaz, self.keys
        honorific = False
        while i < n and keys[i] in gaz.titles:
            honorific = honorific or keys[i] in gaz.honorifics
            i += 1
            # "Secretary of State for Trade", "Director of Public Prosecutions": the phrase
            # belongs to the title, up to a given name or a known person.
            if i + 1 < n and keys[i] in ("of", "for"):
                i += 1
                while i < n and keys[i] not in gaz.given_names and not self._person_at(i):
                    i += 1
        if i >= n:
            return i
        j, known = self._known_at(i)
        if j > i:
            if known is not None and honorific and j == i + 1 and known.kind != PERSON:
                self._add(i, j, PERSON)  # "Lord Sainsbury", "Mr Ford": people, not the firms
            elif known is not None:
                self._add(i, j, known.kind, known)
            return j
        j = self._person_end(i, n)
        if j == i:
            return i + 1
        if j < n and keys[j] in gaz.org_heads:
            return n  # "Duke Charitable Foundation": the words name something else
        if j - i == 1 and not honorific:
            key = keys[i]
            if key in gaz.org_heads or _zipf(key) >= 4.5:
                return j
        self._add(i, j, PERSON, weak=self.headline)
        return j

    def _person_at(self, i: int) -> bool:
        j, known = self._known_at(i) if self.heads[i] in self.gaz.max_len else (i, None)
        return j > i and known is not None and known.kind == PERSON

    def _person_end(self, i: int, n: int) -> int:
        """End of a name starting at i: capitalised words and particles, no heads or titles."""
        gaz, keys = self.gaz, self.keys
        j = i
        while j < n and j - i < _MAX_PERSON_TOKENS:
            key = keys[j]
            if key in _STRUCTURAL or key in gaz.titles or key in gaz.skip_words:
                break
            if key in gaz.closed_words or key in gaz.ignore or key in gaz.stop_acronyms:
                break
            if key in gaz.org_heads and not (j == i + 1 and key in gaz.surname_heads):
                break
            if j > i and self.heads[j] in gaz.max_len:
                # One-word aliases can be surnames ("Denzel Washington", "Raul Castro");
                # longer names and acronyms are names of their own.
                k, known = self._known_at(j)
                if k > j and (k - j > 1 or known is None or self.tokens[j].isupper()):
                    break
            j += 1
        while j > i and (keys[j - 1] in _PARTICLES or self._loose_initial(i, j - 1)):
            j -= 1
        if j - i > 1 and keys[j - 1] in gaz.non_surnames:
            return i  # "The Joe Louis Story", "Colin McRae Rally": a title, not a person
        return j

    def _loose_initial(self, i: int, k: int) -> bool:
        """Whether token k, last of a name from i, is one letter that is no surname: a
        citation's or a handle's initial ("Lee H", "Jerry C"), a name of initials only
        ("M. B."), a trailing "y". Kept: a surname cut to its initial ("Dennis S.", as German
        news names the accused) and a regnal number ("George V")."""
        token = self.tokens[k]
        if len(self.keys[k]) != 1:
            return False
        if token in _REGNAL:
            return False
        end = self.offsets[k] + len(token)
        dotted = token.endswith(".") or self.text.startswith(".", end)
        return not (dotted and token.isupper() and any(len(key) > 1 for key in self.keys[i:k]))

    def _unknown_run(self, i: int, n: int, force: bool = False) -> int:
        gaz, keys, tokens = self.gaz, self.keys, self.tokens
        # A given name or an initial starts a person, even over a one-word alias ("Denzel
        # Washington", "M Blair").
        if (keys[i] in gaz.given_names or (len(keys[i]) == 1 and tokens[i][0].isupper())) and (
            i + 1 < n
        ):
            j = self._person_end(i, n)
            if j - i >= 2:
                self._add(i, j, PERSON, weak=self.headline)
                return j
        # The run: up to the next known name, title, skip word or closed-class word.
        j = i + 1 if not force else i + 2
        while j < n:
            k = keys[j]
            if k in gaz.titles or k in gaz.skip_words or k in gaz.closed_words:
                break
            if self.heads[j] in gaz.max_len and self._known_at(j)[0] > j:
                break
            j += 1
        while j > i + 1 and tokens[j - 1][0].islower():
            j -= 1  # a trailing connector
        if any(keys[k] in _STRUCTURAL for k in range(i, j)):
            # "Britain and France", "Bank of X" not caught as a whole: type each part alone.
            k = i
            while k < j:
                e = k
                while e < j and keys[e] not in _STRUCTURAL:
                    e += 1
                if e > k:
                    self._typed_run(k, e, e < n and keys[e] in gaz.titles)
                k = e + 1
            return j
        self._typed_run(i, j, j < n and keys[j] in gaz.titles)
        return j

    def _typed_run(self, i: int, j: int, before_title: bool) -> None:
        gaz, keys, tokens = self.gaz, self.keys, self.tokens
        run_keys = keys[i:j]
        last, size = run_keys[-1], j - i
        if before_title:
            # "Foreign Minister X": modifiers of the title; "Home Office Minister X": an office.
            if size >= 2 and last in gaz.org_heads:
                self._add(i, j, ORGANISATION, weak=self.headline)
            return
        if size >= 2 and last in gaz.org_heads:
            self._add(i, j, ORGANISATION, weak=self.headline)
            return
        if size >= 2 and last in gaz.place_heads:
            self._add(i, j, PLACE, weak=self.headline)
            return
        if self.headline:
            self._add(i, j, None, weak=True)
            return
        tok, offsets = tokens[i], self.offsets
        end = offsets[j - 1] + len(tokens[j - 1])
        possessive = self.text.startswith(("'s", "’s", "' ", "’ "), end)
        prev = self._prev_word(offsets[i])
        if size == 1 and _is_acronym(tok):
            # Most unknown acronyms are things (GPRS, VHS); one that acts or is owned is an
            # organisation, and its other mentions in the article follow it.
            if last not in gaz.stop_acronyms and (
                prev in gaz.acronym_before
                or possessive
                or self._next_word(end) in gaz.acronym_after
            ):
                self._add(i, j, ORGANISATION)
            else:
                self._add(i, j, None, weak=True)
            return
        if prev in gaz.role_words and size <= _MAX_PERSON_TOKENS:
            self._add(i, j, PERSON)
            return
        # "said Tomohiko Taniguchi", "Tomohiko Taniguchi said"
        if (
            2 <= size <= 3
            and (run_keys[0] in gaz.given_names or _zipf(run_keys[0]) < 3.0)
            and (prev in gaz.quote_verbs or self._next_word(end) in gaz.person_verbs)
        ):
            self._add(i, j, PERSON)
            return
        if prev in gaz.place_cues and size <= 2 and not possessive and self._place_like(i, j):
            self._add(i, j, PLACE)
            return
        self._add(i, j, None, weak=True)

    def _place_like(self, i: int, j: int) -> bool:
        """Whether "in X" names a place: not a language, film, firm or given name."""
        gaz, tokens, keys = self.gaz, self.tokens, self.keys
        if keys[i] in gaz.given_names or _zipf(keys[i]) >= 4.0:
            return False
        for tok in tokens[i:j]:
            if "-" in tok or sum(c.isupper() for c in tok) > 1:
                return False  # "Anglo-Swedish", "PCs", "JUDGEMENT"
        m = _PREV_TWO.search(self.text, max(0, self.offsets[i] - 40), self.offsets[i])
        return not (m and m.group(1).lower() in gaz.place_cue_blockers)

    def _add(
        self, i: int, j: int, kind: str | None, known: Known | None = None, *, weak: bool = False
    ) -> None:
        tokens = [t for t in self.tokens[i:j] if t != "&" or j - i > 1]
        offset = -1 if self.in_title else self.offsets[i]
        self.mentions.append(_Mention(tokens, offset, kind, known, weak))

    def _note_acronym(self, end: int) -> None:
        """After "National Intelligence Service (NIS)" the acronym is an alias in this article."""
        if self.text.startswith((" (", "("), end):
            m = _ACRONYM_DEF.match(self.text, end)
            if m:
                self.acronyms[_norm(m.group(1))] = len(self.mentions) - 1


_CONNECTOR_WORDS = frozenset({
    "of", "the", "for", "and", "&", "upon", "de", "la", "du", "da", "di", "del", "della", "der",
    "den", "van", "von", "le", "bin", "ibn", "al", "el", "y", "dos", "das",
})  # fmt: skip
_PARTICLES = frozenset({"de", "da", "van", "von", "bin", "al", "el", "la", "le", "du", "di"})
_REGNAL = frozenset({"I", "V", "X"})  # George V, Henry V, Malcolm X


def _title_case(line: str) -> bool:
    """Most words of four letters or more capitalised: "South Korea Eyes Military Support"."""
    words = [w for w in line.split(None, 40)[:40] if len(w) > 3 and w[0].isalpha()]
    return 2 <= len(words) <= 30 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _is_acronym(tok: str) -> bool:
    letters = tok.replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


# --------------------------------------------------------------------------- folding


def _resolve(gaz: Gazetteer, mentions: list[_Mention], acronyms: dict[str, int]) -> list[Entity]:
    """Fold mentions to canonical entities and count them."""
    names: dict[str, str] = {}  # key -> canonical name, for names with evidence of their own
    surnames: dict[str, str] = {}  # last word of a person's full name -> its key
    shared: set[str] = set()  # surnames of two different people in this article
    firsts: dict[str, str | None] = {}  # first word -> key ("Sir Elton"); None if not unique
    short: dict[str, str] = {}  # gazetteer short aliases of entries seen here -> key

    # Names that stand on their own evidence, and the surnames they make foldable.
    for m in mentions:
        if m.weak or m.kind is None:
            continue
        name = m.known.name if m.known is not None else " ".join(m.tokens)
        key = norm_key(name)
        names.setdefault(key, name)
        if m.kind == PERSON and len(m.tokens) >= 2:
            words = name.split()
            last = _norm(words[-1])  # "kilroy silk" of Robert Kilroy-Silk
            if surnames.get(last, key) != key:
                shared.add(last)
            surnames[last] = key
            if len(words) > 1:
                first = _norm(words[0])
                firsts[first] = key if firsts.get(first, key) == key else None
        if m.known is not None:
            for alias in gaz.short_by_name.get(name, ()):
                short[alias] = key

    in_full = {  # gazetteer people named in full here ("Fidel Castro", not just "Castro")
        norm_key(m.known.name)
        for m in mentions
        if m.known is not None and m.known.kind == PERSON and len(m.tokens) > 1
    }
    targets: list[str | None] = []
    pending: list[int] = []  # acronyms, resolved once the names they abbreviate are
    folded: set[int] = set()  # mentions folded into a person's full name by its surname
    for index, m in enumerate(mentions):
        key = norm_key(" ".join(m.tokens))
        target = None
        local = surnames.get(key) if len(m.tokens) == 1 and key not in shared else None
        if local and (
            m.known is None or m.known.kind != PERSON or norm_key(m.known.name) not in in_full
        ):
            # "Mr Barrot" after "Jean-Noël Barrot"; the "Washington" of Denzel Washington; the
            # "Castro" of Raul Castro unless Fidel Castro is named in full too.
            target = local
            folded.add(index)
        elif m.known is not None:
            target = norm_key(m.known.name)
        elif key in acronyms:
            pending.append(index)
        elif key in short:
            target = short[key]
        elif key in names and not (m.kind == PERSON and firsts.get(key)):
            target = key
        elif (m.kind == PERSON or (m.kind is None and len(m.tokens) == 1)) and firsts.get(key):
            target = firsts[key]  # "Sir Elton" after "Elton John"
        targets.append(target)
    for index in pending:
        targets[index] = targets[acronyms[norm_key(" ".join(mentions[index].tokens))]]

    # The type is the gazetteer's where it has a say, else the cues'; by majority, the first
    # seen on a tie ("Leicester" the club and the town in one report).
    counts: dict[str, list] = {}  # key -> [mentions, first_offset, {(kind, code): votes}, ...]
    for index, (m, target) in enumerate(zip(mentions, targets, strict=True)):
        if target is None:
            continue
        row = counts.get(target)
        if row is None:
            row = counts[target] = [0, -1, {}, {}]
        row[0] += 1
        if m.offset >= 0 and (row[1] < 0 or m.offset < row[1]):
            row[1] = m.offset
        if index in folded:
            row[3][(PERSON, None)] = row[3].get((PERSON, None), 0) + 1
        elif m.known is not None:
            vote = (m.known.kind, m.known.code)
            row[2][vote] = row[2].get(vote, 0) + 1
        elif m.kind is not None:
            row[3][(m.kind, None)] = row[3].get((m.kind, None), 0) + 1
    out = []
    for key, (n, first, known_votes, cue_votes) in counts.items():
        votes = known_votes or cue_votes
        if not votes:
            continue  # only bare words that folded into each other
        kind, code = max(votes, key=votes.__getitem__)
        out.append(Entity(names[key], kind, n, code, first))
    out.sort(key=lambda e: (-e.mentions, e.name))
    return out


# --------------------------------------------------------------------------- public API


def find_entities(
    title: str | None, text: str, *, gazetteer: Gazetteer | None = None
) -> list[Entity]:
    """Persons, organisations and places in one article, most mentioned first.

    `first_offset` is a character offset into `text`; -1 for an entity named only in the
    title. A title that merely opens the text (a cleaner's derived headline) is not counted
    twice.
    """
    gaz = gazetteer or default_gazetteer()
    if not text and not title:
        return []
    sport = _is_sport(gaz, text)
    mentions: list[_Mention] = []
    acronyms: dict[str, int] = {}
    if title and not _opens(text, title):
        scanner = _Scanner(gaz, title, True, sport)
        scanner.scan()
        mentions += scanner.mentions
    scanner = _Scanner(gaz, text, False, sport)
    scanner.scan()
    acronyms.update({k: v + len(mentions) for k, v in scanner.acronyms.items()})
    mentions += scanner.mentions
    return _resolve(gaz, mentions, acronyms)


def _opens(text: str, title: str) -> bool:
    head = title.strip().rstrip("….").rstrip()
    return bool(head) and text.lstrip().startswith(head)


def _is_sport(gaz: Gazetteer, text: str) -> bool:
    """Football talk, where "Liverpool" is a club rather than a city."""
    return len(set(gaz.sport_pattern().findall(text, 0, 3000))) >= 3
