"""The sources registry (TOML), OPML import and the polling back-off."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tasks.sources.registry import (
    RegistryError,
    Source,
    allowed_host,
    append_feeds,
    load_registry,
    next_poll,
    parse_opml,
)

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="World">
    <outline type="rss" text="BBC World" title="BBC World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline type="rss" text="Quotes &quot; and \xc3\xa9" xmlUrl="https://example.com/feed?a=1&amp;b=2"/>
  </outline>
  <outline type="rss" text="No URL"/>
</body></opml>"""


def test_registry_with_defaults_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[network]\nallowed_hosts = ["127.0.0.1"]\n[defaults]\npoll_minutes = 5\n'
        '[[feeds]]\nname = "A"\nurl = "https://a.example/feed"\nmax_items = 3\n'
        'allow = ["A.example"]\n'
        '[[sites]]\nurl = "https://b.example/"\n'
    )
    registry = load_registry(path)
    feed, site = registry.sources
    assert (feed.kind, feed.name, feed.poll_minutes, feed.max_items) == ("feed", "A", 5, 3)
    assert feed.allows("https://news.a.example/x") and not feed.allows("https://evil.example/")
    assert site.kind == "site" and site.allows("https://anything.example/")
    assert registry.network == {"allowed_hosts": ["127.0.0.1"]}
    assert feed.source_id != site.source_id and len(feed.source_id) == 16


def test_an_allow_list_matches_an_internationalised_host_however_it_is_spelled(
    tmp_path: Path,
) -> None:
    # Feeds link to `xn--mnchen-3ya.de` as often as to `münchen.de`; an allow list in either
    # spelling refused the other, and a redirect's host (httpx gives the Unicode one) too.
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[feeds]]\nurl = "https://a.example/feed"\nallow = ["MÜNCHEN.de"]\n'
        '[[feeds]]\nurl = "https://b.example/feed"\nallow = ["xn--mnchen-3ya.de."]\n'
    )
    for feed in load_registry(path).sources:
        assert feed.allows("https://www.münchen.de/a")
        assert feed.allows("https://www.xn--mnchen-3ya.de/a")
        assert not feed.allows("https://muenchen.de/a")
        assert allowed_host("München.DE", feed.allow)


def test_missing_file_is_an_empty_registry(tmp_path: Path) -> None:
    assert load_registry(tmp_path / "none.toml").sources == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[feeds]]\nurl = 'ftp://x/'\n", "must be an http(s) URL"),
        ("[[feeds]]\nname = 'no url'\n", "must be an http(s) URL"),
        ("[[feeds]]\nurl = 'https://x/'\npoll = 3\n", "unknown key(s) ['poll']"),
        ("[feedz]\n", "unknown section"),
        ("[network]\nproxy = 'x'\n", "unknown [network] key"),
        ("[[feeds]\n", "not valid TOML"),
        ("[[feeds]]\nurl = 'https://x/'\nmax_items = 'many'\n", "feeds[1]"),
        # Values a hostile-input check found reaching the fetcher as tracebacks or as an
        # error row for every URL: each is the file's fault, said before anything runs.
        ("[network]\nper_host_delay = 'fast'\n", "per_host_delay must be a number"),
        ("[network]\nper_host_delay = -5\n", "per_host_delay must be a number"),
        ("[network]\nmax_time = 0\n", "max_time must be a number of seconds above 0"),
        ("[network]\ntimeout = nan\n", "timeout must be a number of seconds above 0"),
        ('[network]\nuser_agent = "a\\nInjected: 1"\n', "user_agent must be one line"),
        ("[network]\nallowed_hosts = '127.0.0.1'\n", "allowed_hosts must be a list"),
        ("[network]\nper_host_concurrency = 0\n", "per_host_concurrency must be a whole"),
        ("[network]\nrespect_robots = 'no'\n", "respect_robots must be true or false"),
        ("[defaults]\nmax_items = 1e400\n", "[defaults] max_items must be a whole number"),
        ("[defaults]\npoll = 3\n", "unknown [defaults] key(s) ['poll']"),
        ("[[feeds]]\nurl = 'https://x/'\npoll_minutes = 0\n", "poll_minutes must be"),
        ("[[feeds]]\nurl = 'https://x/'\nallow = 'bbc.com'\n", "allow must be a list"),
        ("[[feeds]]\nurl = 'https://x/'\nallow = ['bbc..com']\n", "'bbc..com' is not a host"),
    ],
)
def test_bad_registry_files_say_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(RegistryError, match=None) as info:
        load_registry(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_opml_nested_outlines() -> None:
    assert parse_opml(OPML) == [
        ("BBC World", "https://feeds.bbci.co.uk/news/world/rss.xml"),
        ('Quotes " and é', "https://example.com/feed?a=1&b=2"),
    ]


def test_not_opml_is_refused() -> None:
    with pytest.raises(RegistryError, match="not an OPML file"):
        parse_opml(b"<rss/>")


def test_import_appends_once_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[feeds]]\nurl = "https://feeds.bbci.co.uk/news/world/rss.xml"\n')
    assert append_feeds(path, parse_opml(OPML)) == 1  # the BBC feed was already there
    assert append_feeds(path, parse_opml(OPML)) == 0
    urls = [s.url for s in load_registry(path).sources]
    assert urls == [
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "https://example.com/feed?a=1&b=2",
    ]
    assert load_registry(path).sources[1].name == 'Quotes " and é'


def test_a_title_with_a_control_character_is_imported_and_the_file_still_reads(
    tmp_path: Path,
) -> None:
    # DEL is no JSON escape and TOML forbids it raw: the appended block broke the file for
    # every later command.
    path = tmp_path / "sources.toml"
    opml = b"<opml><body><outline text='bad\x7fdel title' xmlUrl='https://example.org/del.xml'/>"
    assert append_feeds(path, parse_opml(opml + b"</body></opml>")) == 1
    assert [s.name for s in load_registry(path).sources] == ["bad\x7fdel title"]
    assert not list(tmp_path.glob(".sources.toml.*"))  # the staged copy is gone


def test_bare_ampersands_and_html_entities_of_a_feed_reader_export_are_kept() -> None:
    # Not XML, and common in exports: the parser's recovery dropped them.
    opml = (
        b'<opml><body><outline text="News&nbsp;One &amp; Two" xmlUrl="https://a.example/f"/>'
        b'<outline text="Two" xmlUrl="https://a.example/two.xml?a=1&b=2&amp;c=3"/></body></opml>'
    )
    assert parse_opml(opml) == [
        ("News\xa0One & Two", "https://a.example/f"),
        ("Two", "https://a.example/two.xml?a=1&b=2&c=3"),
    ]


@pytest.mark.parametrize(
    "opml",
    [b"<opml><body><outline",  # the inbox landed nothing and said nothing
     b'<opml><body><outline text="a" xmlUrl="https://a.example/f"/><outline text="b" xmlU'],
)  # fmt: skip
def test_a_cut_off_opml_file_is_refused_not_read_in_part(opml: bytes) -> None:
    with pytest.raises(RegistryError, match="not an OPML file"):
        parse_opml(opml)


def test_back_off() -> None:
    feed = Source("feed", "https://a.example/feed", poll_minutes=10)
    now = datetime(2024, 1, 1)
    assert next_poll(feed, now, None, 0) == now + timedelta(minutes=10)
    assert next_poll(feed, now, "temporary", 1) == now + timedelta(minutes=20)
    assert next_poll(feed, now, "temporary", 3) == now + timedelta(minutes=80)
    assert next_poll(feed, now, "soft", 30) == now + timedelta(days=1)
    assert next_poll(feed, now, "hard", 1) == now + timedelta(hours=6)
    assert next_poll(feed, now, "hard", 20) == now + timedelta(days=7)
    assert next_poll(feed, now, "temporary", 1, retry_after=3600) == now + timedelta(hours=1)


def test_network_settings_reach_the_fetcher(tmp_path: Path) -> None:
    from flows.web import fetch_policy

    path = tmp_path / "sources.toml"
    path.write_text("[network]\nmax_time = 5\nper_host_delay = 0.5\n", encoding="utf-8")
    policy = fetch_policy(load_registry(path))
    assert (policy.max_time, policy.per_host_delay) == (5, 0.5)
