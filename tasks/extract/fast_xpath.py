"""Exact, faster stand-ins for eight of trafilatura's XPath expressions, the ones that cost
the most on real pages.

Three spend their time in `re:test()` (StandIn). lxml runs EXSLT's `re:test()` as a call
back into Python for each element an expression looks at, and these expressions' long
alternations cost ~2 µs a search. A stand-in fetches the attribute values its regular
expressions read in C-level XPath passes, searches each distinct value once (values
repeat: a site's templates reuse their class names), and leaves the rest of the
expression to libxml2, returning the same elements in the same (document) order.

Measured on the real pages of bench/extraction_real.py (per call, over 3,957 trees: each
page raw, its body, without scripts, cleaned): BASIC_CLEAN_XPATH (html2txt's page measure,
on 41% of pages) 3.5 -> 1.3 ms, OVERALL_DISCARD_XPATH 2.6 -> 2.1 and 4.2 -> 2.3 ms. The
whole extraction, 495 pages in one pass each in a fresh process (as a worker meets pages it
has not seen), three alternating runs: 36.5 / 34.5 / 32.5 -> 33.3 / 31.9 / 32.4 ms CPU a
page; every field of all 990 pages' articles the same.

Five have short patterns or none, `.//*[self::div or self::section ...][tests]` (TagScan):
there libxml2's own work is the cost, building the set of every descendant to filter it.
Iterating the elements of those tags in C and testing their two attributes in Python
selects the same (4,947 trees: each page raw, without scripts, its body, cleaned and
converted) in a third to a half of the time: RAW_TREE_PRUNE_XPATH 0.81 -> 0.27 and
0.43 -> 0.23 ms, REMOVE_COMMENTS_AND_LISTS_XPATH 1.06 -> 0.33, DISCARD_IMAGE_ELEMENTS
0.65 -> 0.26, TEASER_DISCARD_XPATH 0.78 -> 0.28 (the cascade's). The whole extraction, 495
pages as above, alternating: 35.4 / 35.2 / 31.4 -> 30.6 / 29.1 / 28.7 ms CPU a page; every
field of all 990 pages' articles the same. (The stand-in kind of the first three did
nothing for these: fetching the attribute values costs what their searches did.)

Each stand-in is installed only if the original expression still reads as written here
(a StandIn's `re:test()` clauses as `{}`, their patterns taken from trafilatura itself; a
TagScan's whole text): a trafilatura that changed one keeps its own.
tests/test_fast_xpath.py checks that each selects what its original does on the real page
fixtures and on the cases XPath's semantics make subtle.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

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


class TagScan:
    """Called as an XPath of the form `.//*[self::a or self::b][tests]`: the context's
    descendants of those tags, in document order, that `keep` is true of. libxml2 builds
    the set of every descendant to filter it (0.5 ms a page for one with no regular
    expression at all); lxml's iteration by tag visits only those, in C."""

    def __init__(self, original: XPath, expected: str, tags: tuple[str, ...], keep: Keep) -> None:
        if _normal(original.path) != _normal(expected):
            raise ValueError(f"trafilatura's expression changed: {_normal(original.path)}")
        self.original = original
        self.path = original.path
        self.tags = tags
        self.keep = keep

    def __call__(self, tree: _Element) -> list[_Element]:
        keep = self.keep
        return [el for el in tree.iterdescendants(*self.tags) if keep(el)]


Keep = Callable[[_Element], bool]

# RAW_TREE_PRUNE_XPATH: an infinite scroll's next articles, and ad boxes without a headline.
_SCROLL = "mvp-post-add-(?:box|wrap)|infinite-?scroll"
_AD_BOX = "mvp-post-add-(?:box|wrap)"
_RAW_PRUNE_0 = (
    ".//*[self::div or self::section or self::aside]["
    f"re:test(@id, '{_SCROLL}') or re:test(@class, '{_SCROLL}')]["
    f"not(.//h1) or re:test(@id, '{_AD_BOX}') or re:test(@class, '{_AD_BOX}')]"
)
_RAW_PRUNE_1 = (
    ".//*[self::div or self::section or self::aside][contains(@class, 'elementor-share-buttons')]"
)
# REMOVE_COMMENTS_AND_LISTS_XPATH: comment sections (comments are off).
_COMMENT_ID = "^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)"
_COMMENT_CLASS = "^[Cc]omment(?!ary)|(?:article|post)-comments"
_COMMENT_LIST_ID = "^(?:[Cc]omment(?!ary)|comol)"
_COMMENTS = (
    ".//*[self::div or self::list or self::section or self::details or self::ol or self::ul]["
    f"re:test(@id, '{_COMMENT_ID}') or re:test(@class, '{_COMMENT_CLASS}')]["
    f"not(self::ol or self::ul) or re:test(@id, '{_COMMENT_LIST_ID}') or "
    f"re:test(@class, '{_COMMENT_CLASS}')]"
)
_BLOCKS = ("div", "item", "list", "p", "section", "span")
_BLOCK_TEST = (
    ".//*[self::div or self::item or self::list or self::p or self::section or self::span]"
)
# DISCARD_IMAGE_ELEMENTS (images are off) and TEASER_DISCARD_XPATH (the full cascade).
_CAPTIONS = _BLOCK_TEST + "[contains(@id, 'caption') or contains(@class, 'caption')]"
_TEASERS = (
    _BLOCK_TEST + "[contains(translate(@id, 'T', 't'), 'teaser') or "
    "contains(translate(@class, 'T', 't'), 'teaser')]"
)


def _attr_test(pattern: str) -> Callable[[str], bool]:
    search = re.compile(pattern).search  # re:test() with no flags: case-sensitive
    return lambda value: search(value) is not None


def _raw_prune_0() -> Keep:
    scroll, ad_box = _attr_test(_SCROLL), _attr_test(_AD_BOX)

    def keep(el: _Element) -> bool:
        i, c = el.get("id") or "", el.get("class") or ""
        return (scroll(i) or scroll(c)) and (
            next(el.iterdescendants("h1"), None) is None or ad_box(i) or ad_box(c)
        )

    return keep


def _comments() -> Keep:
    by_id, by_class = _attr_test(_COMMENT_ID), _attr_test(_COMMENT_CLASS)
    list_id = _attr_test(_COMMENT_LIST_ID)

    def keep(el: _Element) -> bool:
        i, c = el.get("id") or "", el.get("class") or ""
        return (by_id(i) or by_class(c)) and (
            el.tag not in ("ol", "ul") or list_id(i) or by_class(c)
        )

    return keep


def _contains(word: str, lower_t: bool = False) -> Keep:
    def keep(el: _Element) -> bool:
        i, c = el.get("id") or "", el.get("class") or ""
        if lower_t:  # translate(@x, 'T', 't')
            i, c = i.replace("T", "t"), c.replace("T", "t")
        return word in i or word in c

    return keep


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
        if _put(module, name, index, partial(StandIn, skeleton=skeleton, decide=decide, base=base)):
            installed.append(name if index is None else f"{name}[{index}]")
    scans = [
        ("RAW_TREE_PRUNE_XPATH", 0, _RAW_PRUNE_0, ("div", "section", "aside"), _raw_prune_0()),
        ("RAW_TREE_PRUNE_XPATH", 1, _RAW_PRUNE_1, ("div", "section", "aside"),
         _contains("elementor-share-buttons")),
        ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0, _COMMENTS,
         ("div", "list", "section", "details", "ol", "ul"), _comments()),
        ("DISCARD_IMAGE_ELEMENTS", 0, _CAPTIONS, _BLOCKS, _contains("caption")),
        ("TEASER_DISCARD_XPATH", 0, _TEASERS, _BLOCKS, _contains("teaser", lower_t=True)),
    ]  # fmt: skip
    for name, index, expected, tags, keep in scans:
        if _put(xpaths, name, index, partial(TagScan, expected=expected, tags=tags, keep=keep)):
            installed.append(f"{name}[{index}]")
    return installed


def _put(module: object, name: str, index: int | None, make: Callable[[XPath], Callable]) -> bool:
    """Whether the expression at module.name[index] is (now) a stand-in."""
    current = getattr(module, name) if index is None else getattr(module, name)[index]
    if isinstance(current, StandIn | TagScan):
        return True
    try:
        stand_in = make(current)
    except ValueError:
        return False
    if index is None:
        setattr(module, name, stand_in)
    else:  # the list is shared by every module that imported it: replaced in place
        getattr(module, name)[index] = stand_in
    return True


def _without_clauses(skeleton: str) -> str:
    """`skeleton` with its `{}` clauses (each joined by " or ") taken out."""
    return skeleton.replace("{} or ", "").replace(" or {}", "")


def _normal(xpath: str) -> str:
    """Whitespace as one space, none just inside brackets."""
    return re.sub(r"\[ ", "[", re.sub(r" \]", "]", " ".join(xpath.split())))
