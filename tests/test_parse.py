"""The page's tree: parsed once (tasks/extract/parse.py), as trafilatura would build it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from trafilatura.utils import load_html

from tasks.extract.decode import declared_charset, decode
from tasks.extract.document import _drop_inert
from tasks.extract.metadata import page_metadata
from tasks.extract.parse import parse_html
from tests.conftest import FIXTURES

REAL = sorted((FIXTURES / "real").glob("*.html"))


def _text(path: Path) -> str:
    data = path.read_bytes()
    return decode(data, declared_charset(data))[0]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_pages_parse_to_the_tree_trafilatura_builds(path: Path) -> None:
    html = _text(path)
    ours, theirs = parse_html(html), load_html(html)
    assert ours is not None and theirs is not None
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_a_one_line_page_keeps_its_json_ld_past_the_opening() -> None:
    # Minified pages are one line: trafilatura's doctype repair works on the first line,
    # and a repair of the first 4,096 characters alone once put a line break there, in the
    # middle of a real page's JSON-LD ("@\ntype"), and the page lost its modified date.
    ld = (
        '{"@context":"https://schema.org","@type":"NewsArticle","headline":"Probe",'
        '"datePublished":"2019-10-18T12:17:42+00:00","dateModified":"2019-10-19T08:00:00+00:00"}'
    )

    def page(pad: int) -> str:
        return (
            f'<!DOCTYPE html><html lang=de><head><meta name="x" content="{"x" * pad}">'
            f'<script type="application/ld+json">{ld}</script></head>'
            "<body><article><p>Text.</p></article></body></html>"
        )

    # character 4,096 falls inside the key "dateModified"
    html = page(4096 - 4 - page(0).index('"dateModified"'))
    assert "\n" not in html and html[4092:4100] == '"dateMod'
    meta = page_metadata(parse_html(html))
    assert meta.modified_at is not None and meta.modified_at.day == 19


def test_control_characters_go_and_line_ends_stay() -> None:
    html = "<html><body><p>a\r\nb\x0cc\x00d\ufffee\x85f</p><p>g</p></body></html>"
    tree = parse_html(html)
    assert tree is not None
    assert tree.findtext(".//p") == "a\nb\ncdef"


def test_the_meta_charset_of_a_decoded_page_is_not_applied_twice() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Grüße – “so”</p></body></html>'
    data = html.encode("cp1252")
    tree = parse_html(decode(data, declared_charset(data))[0])
    assert tree is not None and tree.findtext(".//p") == "Grüße – “so”"


@pytest.mark.parametrize("html", ["", "   ", "hello", "<p>only a fragment</p>", "\x00\x01"])
def test_what_is_no_html_gives_no_tree(html: str) -> None:
    assert parse_html(html) is None


def test_scripts_and_styles_leave_the_tree_but_json_ld_and_their_tails() -> None:
    tree = parse_html(
        "<html><head><style>p{}</style><script>var x = 1;</script>"
        '<script type="application/ld+json">{"@type":"NewsArticle"}</script></head>'
        "<body><p>one<script>track()</script> two</p><script>x()</script>three</body></html>"
    )
    assert tree is not None
    _drop_inert(tree)
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"]
    assert not list(tree.iter("style"))
    assert tree.findtext(".//p") == "one two"
    assert "three" in tree.find("body").text_content()


def test_a_script_written_self_closing_holds_the_code_after_it_as_browsers_read_it() -> None:
    # bettycrocker.com: '<script type="text/javascript"/>' then the code and </script>. libxml2
    # closed the script at once and its code became the article's first words.
    page = '<html><body><div><p>Heat the oven.</p></div>\n<script type="text/javascript"/>\n'
    tree = parse_html(page + "(function() { track(); })();</script><p>Bake.</p></body></html>")
    assert tree is not None
    _drop_inert(tree)
    assert "track" not in tree.find("body").text_content()
    assert [p.text for p in tree.iter("p")] == ["Heat the oven.", "Bake."]


def test_a_self_closing_script_followed_by_a_tag_stays_closed() -> None:
    tree = parse_html('<html><body><script src="a.js" /><p>Bake.</p></body></html>')
    assert tree is not None
    assert [p.text for p in tree.iter("p")] == ["Bake."]
