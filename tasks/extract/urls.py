"""URL canonicalisation: one spelling per article, whatever link or feed it came through.

The same story arrives as `HTTP://Example.com:80/news//story?utm_source=rss#top`, through an AMP
cache, or with `?amp=1`; canonicalize() maps all of those to one string so they can be
recognised as one article. It only removes what cannot change the page a server returns:
scheme/host case, default ports, fragments, userinfo, tracking parameters, equivalent percent
encodings and dot segments, and AMP wrappers. It does not touch http vs https, `www.`, trailing
slashes or parameter order: servers do treat those differently.

courlan (trafilatura's URL library) was measured and not reused: its normalize_url sorts the
query (order can matter), drops blank parameters, re-encodes `;()*` in paths, keeps userinfo
and fragments, turns punycode hosts into Unicode (we want the ASCII form), and its tracker
pattern strips ordinary names such as `game`, `keyword`, `source`, `session` and `uid`.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import SplitResult, unquote, urlsplit

# Tracking parameters, matched case-insensitively on the decoded name. A name is here only if
# no server plausibly uses it to choose content: a wrongly stripped parameter merges two
# articles, a missed one only costs a duplicate row. So `ref` is kept: a referral tag on some
# sites (`?ref=hp`), a content selector on others (a branch, an article reference), and the
# two cannot be told apart from the value.
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
        "ttclid", "twclid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "oly_anon_id", "oly_enc_id", "vero_id", "ref_src", "ref_url", "cmpid", "ocid", "ncid",
        "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "at_medium",
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "s_cid", "spm",
        "smid", "sr_share", "taid", "xtor", "__twitter_impression",
        # The Guardian's campaign code (CMP=share_btn_tw); no site uses it to pick content.
        "cmp",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_",)
# `share` is usually a flag or the network shared to, but on some sites it carries a share
# token that selects content: only these tracking-shaped values are stripped.
_SHARE_VALUES = frozenset(
    {"", "1", "true", "yes", "facebook", "twitter", "x", "email", "mail", "whatsapp",
     "linkedin", "reddit", "telegram", "copy", "copylink", "link", "native", "social"}
)  # fmt: skip
# `?rss=1` marks a click from a feed; a bare `?rss` (or `?rss=2.0`) is how many CMSs serve the
# feed itself, which must not be merged with the page.
_RSS_VALUES = frozenset({"1", "true", "yes"})
_AMP_FLAG_VALUES = frozenset({"", "1", "true"})
# What the Google AMP viewer and the AMP cache add on top of the publisher's URL.
_AMP_VIEWER_PARAMS = frozenset({"usqp", "amp_js_v", "amp_gsa", "amp_ct", "amp_tf"})

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
# Characters that may stand unencoded in each part; everything else is percent-encoded.
_PATH_SAFE = frozenset(_UNRESERVED | set(_SUB_DELIMS) | set(":@/%"))
_QUERY_SAFE = frozenset(_PATH_SAFE | {"?"})
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Runs of slashes, except the `//` of a URL embedded in the path (`/web/2024/https://...`).
_MULTI_SLASH = re.compile(r"(?<!:)//+")
# `/story/amp`, `/story/amp/`, `/story.amp`, `/story.amp.html`; `.amp` only after a name, so
# stripping it never leaves a `.` or `..` segment behind.
_AMP_DIR = re.compile(r"/amp(?=/?$)", re.I)
_AMP_EXT = re.compile(r"(?<=[^/.])\.amp(?=(?:\.html?)?$)", re.I)
# AMP caches: https://<host-with-dashes>.cdn.ampproject.org/c/s/<host>/<path>, `/s/` for https.
_AMP_CACHE_PATH = re.compile(r"^/[cvir]/(s/)?([^/?#]+\.[^/?#]+(?:/.*)?)$", re.S)
_GOOGLE_AMP_PATH = re.compile(r"^/amp/(s/)?([^/?#]+\.[^/?#]+(?:/.*)?)$", re.S)
_GOOGLE_HOST = re.compile(r"^(?:www\.)?google\.(?:[a-z]{2,3}|co\.[a-z]{2}|com\.[a-z]{2})$")
_HOST_CHARS = re.compile(r"^[a-z0-9._~!$&'()*+,;=%-]+$")
_MAX_UNWRAP = 5  # nested AMP wrappers; more than this is a loop, not a real link


class _Parts(NamedTuple):
    scheme: str
    host: str  # lower-case, ASCII (IDNA); IPv6 literals without brackets
    port: int | None
    path: str
    query: str
    fragment: str


def canonicalize(url: str) -> str:
    """The canonical spelling of an http(s) URL (see the module docstring for the rules).

    Input that is not an absolute http(s) URL with a valid host (a relative path, `mailto:`,
    a bad port, an unencodable host) comes back stripped but otherwise unchanged: callers
    keep whatever they were given instead of handling an error for every odd link.
    """
    stripped = url.strip()
    parts = _split(stripped)
    if parts is None:
        return stripped
    parts = _unwrap_amp_cache(parts)
    path = _normalize_percent(parts.path or "/", _PATH_SAFE)
    path = _remove_dot_segments(_MULTI_SLASH.sub("/", path))
    path = _strip_amp_suffix(path)
    params = [_normalize_percent(p, _QUERY_SAFE) for p in _params(parts.query) if not _drops(p)]
    fragment = ""
    if parts.fragment.startswith("!"):  # a `#!` "hashbang" route names the content
        fragment = _normalize_percent(parts.fragment, _QUERY_SAFE)
    return _join(parts._replace(path=path, query="&".join(params), fragment=fragment))


def is_http_url(url: str) -> bool:
    """True for an absolute http or https URL with a valid host and port."""
    return _split(url.strip()) is not None


def user_info_of(url: str) -> str | None:
    """The user name and password a URL carries ('alice:secret' of 'http://alice:secret@h/'),
    or None; a URL urlsplit cannot read carries none."""
    try:
        netloc = urlsplit(url.strip()).netloc
    except ValueError:  # 'http://[bad'
        return None
    return netloc.rpartition("@")[0] if "@" in netloc else None


def host_of(url: str) -> str:
    """The lower-case host without port (IDNA-encoded, as canonicalize writes it), or ""."""
    parts = _split(url.strip())
    return parts.host if parts else ""


def _split(url: str) -> _Parts | None:
    try:
        split = urlsplit(url)
        port = split.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        return None
    if split.scheme not in _DEFAULT_PORTS:
        return None
    host = _host(split)
    if host is None:
        return None
    if port == _DEFAULT_PORTS[split.scheme]:
        port = None
    return _Parts(split.scheme, host, port, split.path, split.query, split.fragment)


def _host(split: SplitResult) -> str | None:
    host = split.hostname  # lower-cased, userinfo and port removed, IPv6 brackets removed
    if not host:
        return None
    return ascii_host(host)  # an IPv6 literal as it is: urlsplit has checked the brackets


def ascii_host(host: str) -> str | None:
    """A host name as one spelling: lower case, IDNA-encoded (`münchen.de` and
    `xn--mnchen-3ya.de` are one host), without the root's dot; None if it names no host."""
    host = host.lower().removesuffix(".")  # `example.com.` is the same host, fully qualified
    if ":" in host:  # an IPv6 literal
        return host
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:  # an empty or over-long label: not a host we can name
            return None
    if "" in host.split(".") or not _HOST_CHARS.match(host):  # `a..b`, `.example.com`
        return None
    return host


def _join(parts: _Parts) -> str:
    host = f"[{parts.host}]" if ":" in parts.host else parts.host
    port = f":{parts.port}" if parts.port is not None else ""
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme}://{host}{port}{parts.path or '/'}{query}{fragment}"


def _unwrap_amp_cache(parts: _Parts) -> _Parts:
    for _ in range(_MAX_UNWRAP):
        if parts.host == "cdn.ampproject.org" or parts.host.endswith(".cdn.ampproject.org"):
            m = _AMP_CACHE_PATH.match(parts.path)
        elif _GOOGLE_HOST.match(parts.host):
            m = _GOOGLE_AMP_PATH.match(parts.path)
        else:
            return parts
        if m is None:
            return parts
        scheme = "https" if m.group(1) else "http"
        query = f"?{parts.query}" if parts.query else ""
        inner = _split(f"{scheme}://{m.group(2)}{query}")
        if inner is None:
            return parts
        parts = inner
    return parts


def _strip_amp_suffix(path: str) -> str:
    # Repeated until nothing changes, so `/story/amp/amp` is unwrapped in one call and
    # canonicalize stays idempotent.
    while True:
        stripped = _AMP_EXT.sub("", _AMP_DIR.sub("", path, count=1), count=1)
        if stripped == path:
            return path or "/"
        path = stripped or "/"


def _params(query: str) -> list[str]:
    # Empty pieces are what a trailing `?`, `&` or `&&` leave behind.
    return [p for p in query.split("&") if p]


def _name_value(param: str) -> tuple[str, str]:
    name, _, value = param.partition("=")
    return unquote(name).strip().lower(), unquote(value).strip().lower()


def _is_amp_param(param: str) -> bool:
    name, value = _name_value(param)
    if name == "amp":
        return value in _AMP_FLAG_VALUES
    return (name == "outputtype" and value == "amp") or name in _AMP_VIEWER_PARAMS


def _drops(param: str) -> bool:
    name, value = _name_value(param)
    if name in _TRACKING or name.startswith(_TRACKING_PREFIXES):
        return True
    if name == "share":
        return value in _SHARE_VALUES
    if name == "rss":
        return value in _RSS_VALUES
    if name == "feature":
        return value == "share"
    return _is_amp_param(param)


def _normalize_percent(text: str, safe: frozenset[str]) -> str:
    """Upper-case hex, unreserved characters decoded, anything unsafe encoded as UTF-8."""
    text = _STRAY_PERCENT.sub("%25", text)
    if not all(c in safe for c in text):
        text = "".join(
            c if c in safe else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
            for c in text
        )
    return _PERCENT.sub(_percent_repl, text)


def _percent_repl(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else f"%{m.group(1).upper()}"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: `/a/./b/../c` -> `/a/c`, as browsers resolve it."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for seg in segments[1:]:
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    # A path ending in `.` or `..` names a directory: keep its trailing slash.
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)
