"""URL canonicalisation: what counts as the same article URL, and what must stay apart."""

from __future__ import annotations

import random

import pytest

from tasks.extract.urls import canonicalize, host_of, is_http_url, user_info_of

CANONICAL = [
    # scheme and host case, default ports, userinfo, fragment
    ("HTTP://WWW.Example.COM/News/Story", "http://www.example.com/News/Story"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),  # not https's default
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://user:secret@example.com/a", "https://example.com/a"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a#", "https://example.com/a"),
    ("https://example.com./a", "https://example.com/a"),
    # a #! "hashbang" route is the page itself
    ("https://example.com/#!/story/42", "https://example.com/#!/story/42"),
    # IDNA
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://BÜCHER.example/", "https://xn--bcher-kva.example/"),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
    ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    # empty path, trailing ? and &
    ("https://example.com", "https://example.com/"),
    ("https://example.com?", "https://example.com/"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com/a?id=1&", "https://example.com/a?id=1"),
    ("https://example.com/a?&&id=1&&page=2&", "https://example.com/a?id=1&page=2"),
    # slashes and dot segments; an embedded URL keeps its //
    ("https://example.com//news///story", "https://example.com/news/story"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/a/b/..", "https://example.com/a/"),
    ("https://example.com/../a", "https://example.com/a"),
    (
        "https://web.archive.org/web/2024/https://example.com//a",
        "https://web.archive.org/web/2024/https://example.com/a",
    ),
    # trailing slash and www are not ours to change
    ("https://example.com/a/", "https://example.com/a/"),
    ("https://www.example.com/a", "https://www.example.com/a"),
    # percent-encoding: upper-case hex, unreserved decoded, reserved kept, unsafe encoded
    ("https://example.com/%7euser/%2fa%2Fb", "https://example.com/~user/%2Fa%2Fb"),
    ("https://example.com/%41%62%2D%2e%5F", "https://example.com/Ab-._"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/100%", "https://example.com/100%25"),
    ("https://example.com/a;b=1,(c)*+$!", "https://example.com/a;b=1,(c)*+$!"),
    ("https://example.com/s?q=a+b%20c&x=%c3%a9", "https://example.com/s?q=a+b%20c&x=%C3%A9"),
    ("https://example.com/s?q=%3d%26", "https://example.com/s?q=%3D%26"),
    # tracking parameters go, the rest keep their order and blank values
    (
        "https://example.com/a?utm_source=rss&z=1&utm_medium=feed&a=2&utm_whatever=x&b=",
        "https://example.com/a?z=1&a=2&b=",
    ),
    (
        "https://example.com/a?fbclid=1&gclid=2&dclid=3&gbraid=4&wbraid=5&msclkid=6&id=7",
        "https://example.com/a?id=7",
    ),
    (
        "https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&yclid=4&_ga=5&_gl=6&_hsenc=7&_hsmi=8",
        "https://example.com/a",
    ),
    (
        "https://example.com/a?mkt_tok=1&oly_anon_id=2&oly_enc_id=3&vero_id=4&ref_src=5"
        "&ref_url=6&cmpid=7&ocid=8&ncid=9",
        "https://example.com/a",
    ),
    (
        "https://example.com/a?ns_mchannel=1&ns_source=2&ns_campaign=3&ns_linkname=4&ns_fee=5"
        "&at_medium=6&at_campaign=7&at_custom1=8&at_custom4=9",
        "https://example.com/a",
    ),
    (
        "https://example.com/a?s_cid=1&spm=2&smid=3&sr_share=4&taid=5&xtor=RSS-3208&p=1",
        "https://example.com/a?p=1",
    ),
    ("https://example.com/a?UTM_Source=x&FBCLID=y&q=1", "https://example.com/a?q=1"),
    ("https://example.com/a?utm%5Fsource=x&q=1", "https://example.com/a?q=1"),
    ("https://example.com/a?CMP=share_btn_tw&cmp=rss", "https://example.com/a"),
    # the ambiguous ones: only tracking-shaped values go
    ("https://example.com/a?share=twitter&id=1&share=1", "https://example.com/a?id=1"),
    ("https://example.com/a?share=Z7kQ2v", "https://example.com/a?share=Z7kQ2v"),
    ("https://example.com/a?feature=share", "https://example.com/a"),
    ("https://example.com/a?feature=youtu.be", "https://example.com/a?feature=youtu.be"),
    ("https://example.com/a?rss=1", "https://example.com/a"),
    ("https://example.com/news?rss", "https://example.com/news?rss"),
    ("https://example.com/a?ref=hp", "https://example.com/a?ref=hp"),
    # names that merely contain a tracker's word are content
    (
        "https://example.com/a?source=x&game=3&keyword=k&session=2&uid=9&id=1",
        "https://example.com/a?source=x&game=3&keyword=k&session=2&uid=9&id=1",
    ),
    # AMP
    (
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story",
        "https://www.example.com/news/story",
    ),
    (
        "https://www.google.com/amp/s/www.example.com/news/story.amp",
        "https://www.example.com/news/story",
    ),
    ("https://example.com/news/story/amp/", "https://example.com/news/story/"),
    ("https://example.com/news/story/amp", "https://example.com/news/story"),
    ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
    ("https://example.com/news/story?amp=1&id=2", "https://example.com/news/story?id=2"),
    ("https://example.com/news/story?amp=true", "https://example.com/news/story"),
    ("https://example.com/news/story?outputType=amp", "https://example.com/news/story"),
    ("https://amp.example.com/news/story", "https://amp.example.com/news/story"),
    ("https://example.com/news/amplifier", "https://example.com/news/amplifier"),
    ("https://example.com/news/amp-stories/x", "https://example.com/news/amp-stories/x"),
    ("https://example.com/a?amp=0", "https://example.com/a?amp=0"),
]

INVALID = [
    "",
    "   ",
    "not a url",
    "/news/story?utm_source=x",
    "//example.com/news",
    "example.com/news",
    "mailto:news@example.com",
    "ftp://example.com/file",
    "javascript:alert(1)",
    "https://",
    "https:///path",
    "http://example.com:99999/",
    "http://example.com:port/",
    "http://[::1/",
    "http://exa mple.com/",
    "http://a..b/",
    "https://" + "x" * 64 + "é.example/",  # an IDNA label longer than 63 characters
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize("url", INVALID)
def test_invalid_input_comes_back_stripped_and_unchanged(url: str) -> None:
    assert canonicalize(f"  {url}\n") == url.strip()
    assert not is_http_url(url)
    assert host_of(url) == ""


def test_surrounding_whitespace_is_stripped() -> None:
    assert canonicalize("  https://example.com/a\n") == "https://example.com/a"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story",
            "https://www.example.com/news/story",
        ),
        (
            "https://www-example-com.cdn.ampproject.org/v/s/www.example.com/a?amp_js_v=0.1",
            "https://www.example.com/a",
        ),
        ("https://cdn.ampproject.org/c/example.com/a", "http://example.com/a"),
        (
            "https://www.google.com/amp/s/www.example.com/news/story.amp",
            "https://www.example.com/news/story",
        ),
        ("https://www.google.co.uk/amp/s/example.com/a/amp/", "https://example.com/a/"),
        # a cache wrapping the Google viewer wrapping the page
        (
            "https://www-google-com.cdn.ampproject.org/c/s/www.google.com/amp/s/example.com/a",
            "https://example.com/a",
        ),
        ("https://example.com/news/story/amp/", "https://example.com/news/story/"),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example.com/news/story.AMP", "https://example.com/news/story"),
        ("https://example.com/amp", "https://example.com/"),
        ("https://example.com/a/amp/amp", "https://example.com/a"),
        ("https://example.com/a?x=1&amp=1&y=2", "https://example.com/a?x=1&y=2"),
        # not AMP caches: the path is the site's own
        ("https://www.google.com/search?q=amp", "https://www.google.com/search?q=amp"),
        ("https://example.com/c/s/other.example/a", "https://example.com/c/s/other.example/a"),
        (
            "https://x.cdn.ampproject.org/c/s/not-a-host",
            "https://x.cdn.ampproject.org/c/s/not-a-host",
        ),
    ],
)
def test_amp_links_come_back_as_the_publishers_url(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


def test_amp_and_non_amp_spellings_meet() -> None:
    spellings = [
        "https://www.example.com/news/story",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story",
        "https://www.google.com/amp/s/www.example.com/news/story.amp",
        "https://www.example.com/news/story/amp",
        "https://www.example.com/news/story?amp=1&utm_source=twitter",
        "HTTPS://WWW.EXAMPLE.COM:443/news//story#comments",
    ]
    assert {canonicalize(u) for u in spellings} == {"https://www.example.com/news/story"}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Example.com:8443/a", "www.example.com"),
        ("http://user@example.com/", "example.com"),
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("https://[::1]:8080/", "::1"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host
    assert is_http_url(url)


# Idempotency: every canonical URL is its own canonical form. Over the tables above and over
# URLs assembled at random from the parts that canonicalize rewrites (hypothesis is not
# installed here; a seeded generator covers the same ground reproducibly).
_SCHEMES = ["http", "https", "HTTP", "HtTpS"]
_HOSTS = ["example.com", "WWW.Example.COM", "bücher.example", "example.com.", "[::1]", "a-b.c_d.io"]
_PORTS = ["", ":80", ":443", ":8080", ":"]
_USERINFO = ["", "user@", "u:p@"]
_SEGMENTS = [
    "", ".", "..", "amp", "a.amp", "b.amp.html", "%7e", "%2f", "%2E", "%2e%2e", "café", "a b",
    "%", "%zz", "https:", "x:", "AMP", "story", "..amp", ".amp", "%41", ";p=1", "(x)",
]  # fmt: skip
_PARAMS = [
    "utm_source=x", "id=1", "amp=1", "amp", "share=twitter", "share=tok", "rss", "rss=1",
    "q=a+b", "q=%3d", "x=%c3%a9", "", "CMP=x", "ref=hp", "outputType=amp", "k=é", "a=%",
]  # fmt: skip
_FRAGMENTS = ["", "#", "#top", "#!/a/b", "#!x#y"]


def _random_url(rng: random.Random) -> str:
    path = "/".join(rng.choice(_SEGMENTS) for _ in range(rng.randint(0, 6)))
    if rng.random() < 0.8:
        path = "/" + path
    if rng.random() < 0.1:
        path = "/c/s/" + rng.choice(_HOSTS) + path
    query = "&".join(rng.choice(_PARAMS) for _ in range(rng.randint(0, 4)))
    host = rng.choice(_HOSTS)
    if rng.random() < 0.1:
        host = "www-example-com.cdn.ampproject.org"
    return (
        f"{rng.choice(_SCHEMES)}://{rng.choice(_USERINFO)}{host}{rng.choice(_PORTS)}"
        f"{path}{'?' if query or rng.random() < 0.2 else ''}{query}{rng.choice(_FRAGMENTS)}"
    )


_RANDOM_URLS = [_random_url(random.Random(i)) for i in range(3000)]


@pytest.mark.parametrize(
    "url", [u for u, _ in CANONICAL] + INVALID + [e for _, e in CANONICAL] + _RANDOM_URLS[:50]
)
def test_canonicalize_is_idempotent(url: str) -> None:
    once = canonicalize(url)
    assert canonicalize(once) == once


def test_canonicalize_is_idempotent_on_random_urls() -> None:
    failures = [u for u in _RANDOM_URLS if canonicalize(canonicalize(u)) != canonicalize(u)]
    assert failures == []


def test_canonical_urls_are_http_urls_or_the_input() -> None:
    for url in _RANDOM_URLS:
        out = canonicalize(url)
        if is_http_url(url):
            assert is_http_url(out), url
            assert "#" not in out or "#!" in out, url
        else:
            assert out == url.strip()


def test_user_info_of() -> None:
    assert user_info_of("http://alice:s3cret@example.com/feed") == "alice:s3cret"
    assert user_info_of("https://bob@example.com") == "bob"
    assert user_info_of("https://example.com/?mail=a@b.example") is None  # not the authority
    assert user_info_of("http://[bad") is None


def test_a_sources_file_url_with_a_password_is_refused(tmp_path) -> None:
    from tasks.sources.registry import RegistryError, load_registry

    sources = tmp_path / "sources.toml"
    sources.write_text('[[feeds]]\nurl = "https://alice:s3cret@example.com/feed.xml"\n')
    with pytest.raises(RegistryError, match=r"feeds\[1\]: 'url' carries a user name or password"):
        load_registry(sources)
