"""tasks.extract.author_search gives trafilatura's extract_author answers without its copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from trafilatura.metadata import extract_author as trafilatura_author
from trafilatura.utils import load_html

from tasks.extract.author_search import extract_author
from tasks.extract.decode import declared_charset, decode

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted([*FIXTURES.glob("real/*.html"), *FIXTURES.glob("metadata/*.html")])


def _tree(html: str):
    return load_html(html)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_same_answer_as_trafilatura_on_real_pages(page: Path) -> None:
    data = page.read_bytes()
    html = decode(data, declared_charset(data))[0]
    tree = load_html(html)
    before = len(list(tree.iter()))
    assert extract_author(tree) == trafilatura_author(load_html(html))
    assert len(list(tree.iter())) == before  # the page is left as it was


CASES = {
    # a date inside the byline goes, its tail joins the text before it: "By Ann Lee, Reporter"
    "tail joins": '<div class="byline">By Ann Lee<time>3 May</time>, Reporter</div>',
    # ... with no space between: one word in the pruned copy ("AnnLee", not "Ann Lee")
    "tail joins without space": '<span class="author">Jo Ann<time>1</time>Lee</span>',
    # a byline inside a comment block is no byline
    "in comments": '<div id="comments"><span class="author">Troll Name</span></div>'
    '<p class="author-name">Real Person</p>',
    # the first expression wins over an earlier element of a later one
    "expression order": '<span class="writer">Late Writer</span>'
    '<span rel="author">First Author</span>',
    # too short, then too long: the next candidate
    "length limits": '<span class="author">Al</span><span class="author">'
    + "x" * 130
    + '</span><a class="byline">Bea Good</a>',
    "deleted figure": '<figure><span class="byline">Photo Credit</span></figure>'
    '<span class="byline">Cee Dee</span>',
    "element named author": "<author>Dee Eff</author>",
    "nothing": "<p>No byline at all on this page, only prose.</p>",
}


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_same_answer_as_trafilatura_on_pruning_cases(body: str) -> None:
    html = f"<html><head><title>t</title></head><body><article>{body}</article></body></html>"
    expected = trafilatura_author(_tree(html))
    assert extract_author(_tree(html)) == expected


def test_tail_of_a_deleted_child_joins_the_text_before_it() -> None:
    html = (
        '<html><body><div class="byline">By Ann Lee<time>3 May</time>, Reporter</div></body></html>'
    )
    # trafilatura's normalisation keeps the name; the date is gone with its element
    found = extract_author(_tree(html))
    assert found is not None and "May" not in found and "Ann Lee" in found
