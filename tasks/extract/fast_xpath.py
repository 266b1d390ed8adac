"""Exact, faster stand-ins for three of trafilatura's XPath expressions, the ones whose
`re:test()` calls cost the most on real pages.

lxml runs EXSLT's `re:test()` as a call back into Python for each element an expression
looks at, and these expressions' long alternations cost ~2 µs a search. A stand-in fetches
the attribute values its regular expressions read in C-level XPath passes, searches each
distinct value once (values repeat: a site's templates reuse their class names), and
leaves the rest of the expression to libxml2, returning the same elements in the same
(document) order.

Measured on the real pages of bench/extraction_real.py (per call, over 3,957 trees: each
page raw, its body, without scripts, cleaned): BASIC_CLEAN_XPATH (html2txt's page measure,
on 41% of pages) 3.5 -> 1.3 ms, OVERALL_DISCARD_XPATH 2.6 -> 2.1 and 4.2 -> 2.3 ms. The
whole extraction, 495 pages in one pass each in a fresh process (as a worker meets pages it
has not seen), three alternating runs: 36.5 / 34.5 / 32.5 -> 33.3 / 31.9 / 32.4 ms CPU a
page; every field of all 990 pages' articles the same.
REMOVE_COMMENTS_AND_LISTS_XPATH (1.14 -> 1.07 ms) and RAW_TREE_PRUNE_XPATH (0.81 -> 0.99)
gained nothing this way and keep trafilatura's own.

Each stand-in is installed only if the original expression still reads as the skeleton
written here (its `re:test()` clauses as `{}`, their patterns taken from trafilatura
itself): a trafilatura that changed one keeps its own. tests/test_fast_xpath.py checks
that each selects what its original does on the real page fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml.etree import XPath, _Element

_KNOWN_VALUES = 20_000  # attribute values remembered per regular expression (~2 MB)
_CLAUSE = re.compile(r"re:test\((@[\w-]+(?:\|@[\w-]+)*),\s*'([^']*)'(?:,\s*'([^']*)')?\)")


class _Test:
    """`re:test(@a|@b, 'pattern', 'flags')`: the regex on the first of the attributes in
    the element's source order (XPath's string value of a node-set), "" when it has none."""

    def __init__(self, attrs: str, pattern: str, flags: str | None) -> None:
        self.names = tuple(a.lstrip("@") for a in attrs.split("|"))
        self.regex = re.compile(pattern, re.I if flags and "i" in flags else 0)
        # Deciding on elements that have one of the attributes is exact only if "" fails.
        if self.regex.search(""):
            raise ValueError(f"re:test pattern matches the empty string: {pattern!r}")
        # Answers by attribute value: pages and their sites' templates repeat class names,
        # and a long alternation costs ~2 µs a search. Bounded: started afresh when full.
        self.known: dict[str, bool] = {}

    def elements(self, values: dict[str, list]) -> set[_Element]:
        """The elements it is true of, given each attribute's values on the page."""
        known, found = self.known, set()
        for name in self.names:
            page = values[name]
            new = {v for v in page if v not in known}
            if new:
                if len(known) + len(new) > _KNOWN_VALUES:
                    # a new dict, not clear(): a call in another thread keeps reading its own
                    known = self.known = {}
                    new = set(page)
                search = self.regex.search
                known.update((str(v), search(v) is not None) for v in new)
            found.update(v.getparent() for v in page if known[v])
        if len(self.names) == 1:
            return found
        # `@id|@style`: the test reads the element's first of them only.
        search = self.regex.search
        return {el for el in found if search(_first(el, self.names))}


def _first(el: _Element, names: tuple[str, ...]) -> str:
    return next(el.get(k) for k in el.keys() if k in names)  # noqa: SIM118 (source order)


Decide = Callable[[list[set[_Element]]], set[_Element]]


class StandIn:
    """Called as the XPath it replaces: the elements `decide` picks from what each of its
    `re:test()`s is true of, with what `base` (the expression's part without regular
    expressions, run by libxml2) finds, in document order."""

    def __init__(self, original: XPath, skeleton: str, decide: Decide, base: str = "") -> None:
        self.original = original
        self.path = original.path
        source = _normal(original.path)
        if _normal(_CLAUSE.sub("{}", source)) != _normal(skeleton):
            raise ValueError(f"trafilatura's expression changed: {source}")
        self.tests = [_Test(*m.groups()) for m in _CLAUSE.finditer(source)]
        self.decide = decide
        # `.//*` in every original: the context's descendants, not the context itself.
        names = {n for t in self.tests for n in t.names}
        self.fetch = {n: XPath(f"descendant::*/@{n}") for n in sorted(names)}
        self.base = XPath(base) if base else None
        self.ordered = XPath(f"({base}) | $hits" if base else "$hits | $hits")

    def __call__(self, tree: _Element) -> list[_Element]:
        values = {name: fetch(tree) for name, fetch in self.fetch.items()}
        hits = self.decide([t.elements(values) for t in self.tests])
        if hits:
            return self.ordered(tree, hits=list(hits))
        return self.base(tree) if self.base is not None else []


def _any_of(tags: frozenset[str] | None) -> Decide:
    def decide(found: list[set[_Element]]) -> set[_Element]:
        hits = set().union(*found)
        return hits if tags is None else {el for el in hits if el.tag in tags}

    return decide


_DISCARD_TAGS = frozenset({"div", "item", "list", "p", "section", "span"})
_BASIC = (
    ".//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer|.//script"
    "|.//style|.//svg|.//template"
)
_DISCARD_0 = (
    ".//*[self::div or self::item or self::list or self::p or self::section or self::span]["
    "@data-lp-replacement-content or contains(translate(@role, 'N', 'n'), 'nav') or "
    "contains(@data-component, 'MostPopularStories')"
)
_DISCARD_1 = (
    ".//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or "
    "{} or contains(@style, 'display:none') or contains(@style, 'display: none') or "
    "{} or {} or @aria-hidden='true']"
)

_installed: list[str] | None = None


def ensure_installed() -> None:
    """install(), once per process (the extraction calls it before its first page)."""
    global _installed
    if _installed is None:
        _installed = install()


def install() -> list[str]:
    """Put the stand-ins in trafilatura's place; the names of those installed. Only for
    trafilatura 2.3.1, whose expressions they were written from and checked against."""
    import importlib

    import trafilatura

    # (`from trafilatura import baseline` is the function of that name)
    baseline = importlib.import_module("trafilatura.baseline")
    xpaths = importlib.import_module("trafilatura.xpaths")

    if trafilatura.__version__ != "2.3.1":
        return []
    installed = []
    targets = [
        (baseline, "BASIC_CLEAN_XPATH", None, _BASIC + "|.//*[{} or {}]", _any_of(None), _BASIC),
        (xpaths, "OVERALL_DISCARD_XPATH", 0, _DISCARD_0 + " or {} or {} or {}]",
         _any_of(_DISCARD_TAGS), _DISCARD_0 + "]"),
        (xpaths, "OVERALL_DISCARD_XPATH", 1, _DISCARD_1, _any_of(None),
         _without_clauses(_DISCARD_1)),
    ]  # fmt: skip
    for module, name, index, skeleton, decide, base in targets:
        current = getattr(module, name) if index is None else getattr(module, name)[index]
        if not isinstance(current, StandIn):
            try:
                stand_in = StandIn(current, skeleton, decide, base)
            except ValueError:
                continue
            if index is None:
                setattr(module, name, stand_in)
            else:  # the list is shared by every module that imported it: replaced in place
                getattr(module, name)[index] = stand_in
        installed.append(name if index is None else f"{name}[{index}]")
    return installed


def _without_clauses(skeleton: str) -> str:
    """`skeleton` with its `{}` clauses (each joined by " or ") taken out."""
    return skeleton.replace("{} or ", "").replace(" or {}", "")


def _normal(xpath: str) -> str:
    """Whitespace as one space, none just inside brackets."""
    return re.sub(r"\[ ", "[", re.sub(r" \]", "]", " ".join(xpath.split())))
