"""A page's HTML to the one tree every reader after it uses (trafilatura, metadata, dates)."""

from __future__ import annotations

import re
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

from tasks.extract.clean_text import strip_controls

# C0 and C1 controls but tab, newline and CR (see clean_text), and the XML non-characters
# libxml2 refuses (trafilatura.utils.INVALID_XML_CHARS).
_UNFIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


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
        # libxml2 reads nothing below 256 levels without it (2,048 with it); old pages
        # with unclosed <font> or <div> tags nest that deep, and a browser shows their text.
        # No element of the 990 real pages of bench/extraction_real.py changed.
        huge_tree=True,
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
    """The page's tree, as trafilatura.utils.load_html builds it, or None if it is no HTML.
    Control characters go first (tab and newline kept; CR, CRLF, VT and FF end lines)."""
    from trafilatura.utils import is_dubious_html  # heavy: imported where used

    # One scan: most pages have none (CR alone does not count, libxml2 reads it as a line
    # end itself; a third of the real pages are written with CRLF line ends).
    if _UNFIT.search(html):
        html = strip_controls(html).replace("\ufffe", "").replace("\uffff", "")
    beginning = html[:50].lower()
    html = _repaired(html, beginning)
    # As UTF-8 bytes rather than str: 1.6 -> 1.3 ms a page, the same trees.
    try:
        tree = fromstring(html.encode("utf-8", "surrogatepass"), parser=_parser())
    except (ValueError, etree.LxmlError):
        return None
    # One element only and no "html" at the start: a fragment or not HTML at all.
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def cut_by_depth() -> bool:
    """Whether the last page parse_html read nests deeper than libxml2 reads (2,048 levels):
    its text below that is not in the tree."""
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _parser().error_log)


def _repaired(html: str, beginning: str) -> str:
    """trafilatura.utils.repair_faulty_html without its scan for characters libxml2 refuses
    (0.4 ms a page, and parse_html has removed them): a doctype libxml2 misreads, a
    self-closing <html/>; and self-closing scripts followed by code."""
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML

    if "doctype" in beginning:
        first, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    return _scripts_opened(html)


def _scripts_opened(html: str) -> str:
    """'<script type="text/javascript"/>' followed by code opens a script, as browsers read
    it (HTML has no self-closing <script>); libxml2 closes it, and on a real page the code
    became the article's first 827 characters (bench/extraction_real.py, bettycrocker.com).
    One followed by a tag is left closed: that is what its author meant."""
    at = html.find("<script")
    while at != -1:
        end = html.find(">", at)
        if end == -1:
            break
        if html[end - 1] == "/" and html[end + 1 : end + 200].lstrip()[:1] not in ("<", ""):
            html = html[: end - 1] + html[end:]
            end -= 1
        at = html.find("<script", end)
    return html
