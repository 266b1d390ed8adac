"""The stand-ins for trafilatura's XPath expressions select exactly what the originals
select: on the real page fixtures, at every stage the pipeline runs them on, and on the
cases XPath's semantics make subtle."""

from __future__ import annotations

import importlib
from copy import copy
from pathlib import Path

import pytest
from lxml import html as lxml_html
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor

from tasks.extract import fast_xpath
from tasks.extract.decode import declared_charset, decode
from tasks.extract.document import TRAFILATURA_OPTIONS, _drop_inert
from tasks.extract.parse import parse_html

REAL = Path(__file__).parent / "fixtures" / "real"
baseline = importlib.import_module("trafilatura.baseline")
xpaths = importlib.import_module("trafilatura.xpaths")


def _stand_ins() -> list[fast_xpath.StandIn]:
    fast_xpath.ensure_installed()
    found = [baseline.BASIC_CLEAN_XPATH, *xpaths.OVERALL_DISCARD_XPATH]
    assert all(isinstance(s, fast_xpath.StandIn) for s in found)
    return found


def _scans() -> list[fast_xpath.TagScan]:
    fast_xpath.ensure_installed()
    found = [
        *xpaths.RAW_TREE_PRUNE_XPATH, *xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH,
        *xpaths.DISCARD_IMAGE_ELEMENTS, *xpaths.TEASER_DISCARD_XPATH,
    ]  # fmt: skip
    assert all(isinstance(s, fast_xpath.TagScan) for s in found)
    return found


def test_all_eight_are_installed_on_the_pinned_trafilatura() -> None:
    # A trafilatura whose expressions changed keeps its own: this names the one that did.
    assert fast_xpath.install() == [
        "BASIC_CLEAN_XPATH", "OVERALL_DISCARD_XPATH[0]", "OVERALL_DISCARD_XPATH[1]",
        "RAW_TREE_PRUNE_XPATH[0]", "RAW_TREE_PRUNE_XPATH[1]",
        "REMOVE_COMMENTS_AND_LISTS_XPATH[0]", "DISCARD_IMAGE_ELEMENTS[0]",
        "TEASER_DISCARD_XPATH[0]",
    ]  # fmt: skip
    assert len(_stand_ins()) == 3
    assert len(_scans()) == 5


def test_a_changed_expression_is_refused() -> None:
    # Patterns are read from trafilatura's expression; anything else changed is refused.
    original = _stand_ins()[2].original
    changed = original.path.replace("@aria-hidden='true'", "@aria-hidden='1'")
    assert changed != original.path
    xpath = type(original)(changed, namespaces={"re": "http://exslt.org/regular-expressions"})
    with pytest.raises(ValueError, match="changed"):
        fast_xpath.StandIn(xpath, fast_xpath._DISCARD_1, fast_xpath._any_of(None))


def test_a_changed_expression_is_refused_by_a_tag_scan() -> None:
    original = _scans()[2].original
    changed = original.path.replace("self::details or ", "")
    xpath = type(original)(changed, namespaces={"re": "http://exslt.org/regular-expressions"})
    with pytest.raises(ValueError, match="changed"):
        fast_xpath.TagScan(xpath, fast_xpath._COMMENTS, ("div",), fast_xpath._comments())


def _trees(path: Path) -> list:
    data = path.read_bytes()
    tree = parse_html(decode(data, declared_charset(data))[0])
    assert tree is not None
    options = Extractor(
        comments=TRAFILATURA_OPTIONS["include_comments"],
        tables=TRAFILATURA_OPTIONS["include_tables"],
    )
    inert_dropped = copy(tree)
    _drop_inert(inert_dropped)
    cleaned = convert_tags(tree_cleaning(copy(inert_dropped), options), options)
    return [tree, tree.find(".//body"), inert_dropped, cleaned]


def test_same_elements_in_the_same_order_on_real_pages() -> None:
    stand_ins = _stand_ins()
    by_regex = [0] * len(stand_ins)  # trees where the re:test part found something
    pages = sorted(REAL.glob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        for tree in _trees(page):
            for i, stand_in in enumerate(stand_ins):
                assert stand_in(tree) == stand_in.original(tree), (page.name, stand_in.path)
                base = stand_in.base(tree) if stand_in.base is not None else []
                by_regex[i] += len(stand_in.original(tree)) > len(base)
    # Each stand-in's Python part decided something on these pages, not only libxml2's.
    assert all(n > 0 for n in by_regex), by_regex


def test_tag_scans_select_the_same_elements_in_the_same_order_on_real_pages() -> None:
    scans = _scans()
    hits = [0] * len(scans)
    for page in sorted(REAL.glob("*.html")):
        for tree in _trees(page):
            for i, scan in enumerate(scans):
                found = scan(tree)
                assert found == scan.original(tree), (page.name, scan.path)
                hits[i] += bool(found)
    # Comment sections, captions and teasers are on these pages; infinite scrolls and
    # share buttons are not (their cases are below).
    assert all(hits[2:]), hits


@pytest.mark.parametrize(
    "body",
    [
        # ad boxes and infinite scrolls: kept with a headline inside only if an ad box
        '<div class="infinite-scroll"><h1>Next</h1><p>x</p></div><aside id="infinitescroll">'
        '<p>y</p></aside><section class="mvp-post-add-box"><h1>Ad</h1></section>'
        '<div class="x elementor-share-buttons"><span>share</span></div>'
        '<div id="mvp-post-add-wrap"><h1>Ad</h1></div>',
        # comment sections: 'Commentary' is not one; a list is one only by id or class
        '<div id="comments"><ol id="disqus_thread"><li>a</li></ol><ul class="comment-list">'
        '<li>b</li></ul></div><section class="Commentary">c</section><div id="comol">d</div>'
        '<details class="post-comments">e</details><ol id="Comment-1"><li>f</li></ol>',
        # captions and teasers, 'Teaser' with a capital T, nested, on converted tags
        '<div class="wp-caption"><p id="caption-1">a</p><span class="TeaserBox">b</span></div>'
        '<list id="teaser"><item class="caption">c</item></list><p class="Caption">d</p>',
    ],
)
def test_tag_scan_semantics(body: str) -> None:
    tree = lxml_html.fromstring(f"<html><body class='comments teaser'>{body}</body></html>")
    selected = 0
    for scan in _scans():
        for context in (tree, tree.find("body")):
            found = scan(context)
            assert found == scan.original(context), scan.path
            selected += len(found)
    assert selected > 0


@pytest.mark.parametrize(
    "body",
    [
        # @id|@style reads the first of the two in source order: style first, id not read
        '<div style="color:red" id="hidden-x">a</div><div id="hidden-y" style="x">b</div>',
        # case-insensitive cookie test on class and on id; and the class test case-sensitive
        '<div class="Cookie-Banner">a</div><span id="ONETRUST">b</span><p class="Footer">c</p>',
        # nested hits, the outer first; attributes other than id/class/style ignored
        '<section class="share-x"><div class="menu"><p class="bar">t</p></div></section>'
        '<div data-x="nav">n</div><div class="">empty</div>',
        # an element matched by both the regex and the plain part, once
        '<aside class="cookie-notice">a</aside><div class="sidebar" role="navigation">x</div>',
    ],
)
def test_xpath_semantics(body: str) -> None:
    tree = lxml_html.fromstring(f"<html><body class='cookie-banner'>{body}</body></html>")
    for stand_in in _stand_ins():
        for context in (tree, tree.find("body")):
            assert stand_in(context) == stand_in.original(context), stand_in.path


def test_the_context_element_itself_is_not_selected() -> None:
    # `.//*`: descendants only, as the originals read
    tree = lxml_html.fromstring("<div class='cookie-banner share-x comments'><p>x</p></div>")
    for stand_in in [*_stand_ins(), *_scans()]:
        assert stand_in(tree) == stand_in.original(tree) == []


def test_answers_stay_right_when_the_value_memory_is_full(monkeypatch) -> None:
    monkeypatch.setattr(fast_xpath, "_KNOWN_VALUES", 3)

    def page(prefix: str):
        divs = "".join(f'<div class="{prefix}{i} share-x">x</div>' for i in range(6))
        return lxml_html.fromstring(f'<html><body>{divs}<div class="plain">y</div></body></html>')

    first, second = page("a"), page("b")
    for stand_in in _stand_ins():
        for tree in (first, second, first):
            assert stand_in(tree) == stand_in.original(tree)
        # what the last page did not have was forgotten
        class_tests = [t for t in stand_in.tests if "class" in t.names]
        assert class_tests and all("b0 share-x" not in t.known for t in class_tests)


def test_a_memory_started_afresh_meanwhile_does_not_disturb_a_call(monkeypatch) -> None:
    # The extraction may run in a flow's task threads. Here a search in one call lets the
    # other "thread" in, as the interpreter may, and that one fills the memory: the first
    # call must still answer right (and not fail looking up what it had just stored).
    monkeypatch.setattr(fast_xpath, "_KNOWN_VALUES", 5)
    stand_in = _stand_ins()[2]
    test = next(t for t in stand_in.tests if t.names == ("class",))

    def page(prefix: str):
        divs = "".join(f'<div class="{prefix}{i} message">x</div>' for i in range(4))
        return lxml_html.fromstring(f"<html><body>{divs}<p class='other'>y</p></body></html>")

    mine, other = page("a"), page("b")
    real = test.regex
    searched = []

    class Interrupted:
        def search(self, value: str):
            searched.append(value)
            if len(searched) == 4:  # after this call stored its first answers
                test.regex = real
                stand_in(other)  # the other thread, meanwhile
            return real.search(value)

    monkeypatch.setattr(test, "regex", Interrupted())
    test.known = {}
    assert stand_in(mine) == stand_in.original(mine)
    assert len(searched) >= 4
