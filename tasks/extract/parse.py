"""A page's HTML to the one tree every reader after it uses (trafilatura, metadata, dates)."""

from __future__ import annotations

from contextlib import suppress
from functools import cache

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)


@cache
def _parser() -> HTMLParser:
    # trafilatura's own parser settings (trafilatura.utils.HTML_PARSER) with one change: every
    # element is a plain HtmlElement, looked up in C. lxml.html's default lookup is a Python
    # method called for each element object Python touches, ~4,000 times a page through
    # trafilatura's pruning; on 300 real pages (bench/extraction_real.py) the extraction took
    # 40.8 -> 35.6 ms CPU a page, every output the same. No reader here uses lxml.html's
    # per-tag classes (form fields, labels).
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree, as trafilatura.utils.load_html builds it, or None if it is no HTML."""
    from trafilatura.utils import is_dubious_html, repair_faulty_html  # heavy: where used

    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree = None
    with suppress(ValueError, etree.LxmlError):  # ValueError: a str declaring an encoding
        tree = fromstring(html, parser=_parser())
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(html.encode("utf-8", "surrogatepass"), parser=_parser())
        except (ValueError, etree.LxmlError):
            return None
    # One element only and no "html" at the start: a fragment or not HTML at all.
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree
