"""trafilatura's byline search (`trafilatura.metadata.extract_author`), same answers, a
fraction of its cost.

trafilatura copies the whole page, deletes comments, dates, figures and sidebars from the
copy, then runs three XPath expressions whose EXSLT `re:test` calls Python's `re` for every
element of the page: 6.7 ms a call on the real pages of bench/extraction_real.py, run on the
44% of pages that declare no author. Here one XPath made of plain `contains()` tests (run in C)
picks the few elements any of the three expressions could select; Python's `re` decides on
those, in the expressions' order; an element inside a deleted one is skipped and a byline's
text is read as the pruned copy would give it (the tail of a deleted child joined to the text
before it) without copying the page. tests/test_author_search.py checks the answers against
trafilatura's own on real pages and on the cases the copy-and-delete handles.
"""

from __future__ import annotations

import re

from lxml.etree import XPath, _Element

# Every element any of trafilatura's AUTHOR_XPATHS (2.3.1) can select has one of these
# attributes (or is <author>, or has a <rel> child): fetched in one pass in document order
# (an element's attributes follow it) and tested with one regex each. Measured on the real
# pages: 0.7 ms a page; the same selection as an XPath of contains() tests took 4.7 ms.
_ATTRIBUTES = XPath(
    "//@class | //@id | //@itemprop | //@rel | //@data-testid | //@data-component"
    " | //author | //rel"
)
# The literals of its patterns and comparisons, per attribute (a superset; the predicates
# below decide).
_MAYBE = {
    "class": re.compile(
        "uthor|name|byl|BBL|yline|zuozhe|bianji|xiaobian|submitted-by|posted-by|screenname|writer"
    ),
    "id": re.compile("uthor|zuozhe|bianji|xiaobian"),
    "itemprop": re.compile("author"),
    "rel": re.compile("^author$"),
    "data-testid": re.compile("^Author(?:Card|URL)$"),
    "data-component": re.compile("Byline"),
}
# trafilatura.xpaths.AUTHOR_XPATHS, one predicate per expression, in its order.
_TAGS_0 = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_CLASS_0 = re.compile("author-?name|AuthorName|authorName")
_TAGS_1 = frozenset({"a", "div", "h3", "h4", "p", "span"})
_ID_1 = re.compile("author|zuozhe|bianji|xiaobian")
_CLASS_1 = re.compile(
    "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_ID_2 = re.compile("[Aa]uthor")
_CLASS_2 = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
# trafilatura.xpaths.AUTHOR_DISCARD_XPATHS: what the copy loses before the search.
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    "|article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
_LEN_LIMIT = 120  # extract_metainfo's len_limit for authors


def extract_author(tree: _Element) -> str | None:
    """What trafilatura.metadata.extract_author(tree) returns, without changing `tree`."""
    from trafilatura.json_metadata import normalize_authors

    candidates = [el for el in _candidates(tree) if not _deleted(el)]
    for matches in (_first, _second, _third):
        for el in candidates:
            if not matches(el):
                continue
            content = " ".join(" ".join(_pruned_text(el)).split())
            if content and 2 < len(content) < _LEN_LIMIT:
                return normalize_authors(None, content)
    return None


def _candidates(tree: _Element) -> list[_Element]:
    found: dict[_Element, None] = {}
    late = False
    for node in _ATTRIBUTES(tree):
        if isinstance(node, str):
            if _MAYBE[node.attrname].search(node):  # type: ignore[attr-defined]
                found[node.getparent()] = None  # type: ignore[attr-defined]
        elif node.tag == "author":
            found[node] = None
        elif (parent := node.getparent()) is not None:  # <rel>me</rel>
            late = late or parent not in found
            found[parent] = None
    if late:  # a parent found after its descendants: back into document order
        order = {el: i for i, el in enumerate(tree.iter())}
        return sorted(found, key=order.__getitem__)
    return list(found)


def _first(el: _Element) -> bool:
    if el.tag == "author":
        return True
    if el.tag not in _TAGS_0:
        return False
    cls = el.get("class")
    return (
        el.get("rel") == "author"
        or el.get("id") == "author"
        or cls == "author"
        or el.get("itemprop") == "author name"
        or el.get("data-testid") in ("AuthorCard", "AuthorURL")
        or any(child.tag == "rel" and child.xpath("string()") == "me" for child in el)
        or (cls is not None and _CLASS_0.search(cls) is not None)
    )


def _second(el: _Element) -> bool:
    if el.tag not in _TAGS_1:
        return False
    cls = el.get("class") or ""
    return (
        cls in ("byline", "username", "byl", "BBL")
        or "author" in (el.get("itemprop") or "")
        or _ID_1.search(el.get("id") or "") is not None
        or _CLASS_1.search(cls) is not None
    )


def _third(el: _Element) -> bool:
    return (
        "Byline" in (el.get("data-component") or "")
        or "author" in (el.get("itemprop") or "")
        or _ID_2.search(el.get("id") or "") is not None
        or _CLASS_2.search(el.get("class") or "") is not None
    )


def _discarded(el: _Element) -> bool:
    tag = el.tag
    if tag in ("time", "figure"):
        return True
    if tag not in _DISCARD_TAGS:
        return False
    ident, cls = el.get("id"), el.get("class")
    return (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or (ident is not None and _DISCARD_ID.search(ident) is not None)
        or (cls is not None and _DISCARD_CLASS.search(cls) is not None)
        or "Figure" in (el.get("data-component") or "")
    )


def _deleted(el: _Element) -> bool:
    """Whether the pruned copy lost `el` (it or an ancestor was deleted)."""
    return _discarded(el) or any(_discarded(a) for a in el.iterancestors())


def _pruned_text(el: _Element) -> list[str]:
    """el.itertext() as it reads in the pruned copy: a deleted child's text goes, its tail
    joins the text before it (trafilatura's delete_element keeps tails that way)."""
    pieces = [el.text or ""]
    _children_text(el, pieces, 0)
    return pieces


def _children_text(el: _Element, pieces: list[str], holder: int) -> None:
    for child in el:
        if isinstance(child.tag, str) and _discarded(child):
            pieces[holder] += child.tail or ""
            continue
        if isinstance(child.tag, str):  # comments and processing instructions: tail only
            pieces.append(child.text or "")
            _children_text(child, pieces, len(pieces) - 1)
        pieces.append(child.tail or "")
        holder = len(pieces) - 1
