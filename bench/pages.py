"""Realistic news-site HTML pages built from the BBC full-text corpus, with ground truth.

The pages are meant to stress a main-text extractor the way real sites do: most of the
bytes are script, style and navigation, and the article sits among bylines, share
buttons, inline "Read more" boxes, ads, related-story lists, comments and footers.
The ground truth body is the article paragraphs plus any <h2> subheadings we insert
(subheadings are editorial content); everything else on the page counts as boilerplate.

What they are still for: volume (bench/ingest_throughput.py, bench/feeds_poll.py,
bench/operations.py need many pages served or dropped). Extraction is judged and tuned on
real pages (bench/extraction_real.py), not on these.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import random
import re
import string
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The corpus lives in the shared folder beside the checkout (../shared/data), or wherever
# NEWSFLOW_BBC_ZIP points.
DEFAULT_ZIP = Path(
    os.environ.get("NEWSFLOW_BBC_ZIP")
    or Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc-fulltext.zip"
)

esc = html.escape


@dataclass(frozen=True)
class Page:
    path: Path
    title: str
    body: str  # ground-truth body paragraphs joined by "\n"
    category: str
    published: str  # ISO date


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]
    category: str


# --------------------------------------------------------------------------- corpus


@functools.lru_cache(maxsize=4)
def load_corpus(zip_path: Path = DEFAULT_ZIP) -> tuple[Article, ...]:
    """All articles in the zip, in path order (title line, blank line, blank-line paragraphs)."""
    articles = []
    with zipfile.ZipFile(zip_path) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith(".txt")):
            raw = zf.read(name)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # sport/199.txt is latin-1 (a bare 0xA3 pound sign)
                text = raw.decode("cp1252")
            # ~20 files carry HTML entities from the original scrape (&#163; for a pound sign)
            text = html.unescape(text.replace("\r\n", "\n"))
            title, _, rest = text.partition("\n")
            # A few paragraphs are " - item" lists broken over lines; a CMS would render each
            # block as one <p>, so whitespace is collapsed inside blocks.
            paras = re.split(r"\n\s*\n", rest)
            body = tuple(" ".join(p.split()) for p in paras if p.strip())
            articles.append(Article(" ".join(title.split()), body, name.split("/")[-2]))
    return tuple(articles)


# --------------------------------------------------------------------------- chrome pools

_JS = [
    "function $f($a,$b){var $c=document.querySelectorAll('[data-$k]');"
    "for(var $i=0;$i<$c.length;$i++){$c[$i].addEventListener('click',function($e){"
    "window.dataLayer=window.dataLayer||[];window.dataLayer.push({event:'$w',category:'$k',"
    "label:$e.target.textContent.trim()})})}return $b}",
    "var $f=function($a){return $a&&$a.__esModule?$a:{default:$a}},$b=$f(require('$k/$w'));",
    "!function($a,$b){'object'==typeof exports&&'undefined'!=typeof module?module.exports=$b():"
    "'function'==typeof define&&define.amd?define($b):($a=$a||self).$F=$b()}(this,function(){"
    "'use strict';var $c={$k:$n,$w:'$h'};return function($e){return Object.assign({},$c,$e)}});",
    "(self.webpackChunk_$k=self.webpackChunk_$k||[]).push([[$n],{$m:function($a,$b,$c){"
    "'use strict';$c.d($b,{Z:function(){return $e}});var $i=$c($m),$e=function($a){"
    "var $b=$a.$k,$f=$a.$w;return(0,$i.jsx)('div',{className:'$k-$w',children:[$b,$f]})}}}]);",
    "try{localStorage.setItem('$k_$w',JSON.stringify({ts:Date.now(),v:'$h'}))}"
    "catch($e){console.warn('$k',$e)}",
    "window.$F=window.$F||{};window.$F.$k={env:'production',release:'$h',sampleRate:0.$n,"
    "endpoints:{ads:'https://securepubads.g.doubleclick.net/tag/js/gpt.js',"
    "cmp:'https://cdn.privacy-mgmt.com/unified/wrapperMessagingWithoutDetection.js'}};",
    "if(typeof $F==='undefined'){var $F={};}$F.$w=function($a,$b){$b=$b||{};"
    "var $c=new XMLHttpRequest();$c.open('GET','/api/$k/'+encodeURIComponent($a)+'?v=$h',true);"
    "$c.onload=function(){if($c.status>=200&&$c.status<400){$b.success&&"
    "$b.success(JSON.parse($c.responseText))}};$c.send()};",
    "googletag.cmd.push(function(){googletag.defineSlot('/$n/$k/$w',[[300,250],[728,90]],"
    "'div-gpt-ad-$h').setTargeting('pos','$w').addService(googletag.pubads());});",
    "$f.prototype.$w=function($a){var $b=this;return new Promise(function($c,$e){"
    "$b._$k.then(function($i){$i&&$i.length>$n?$c($i.slice(0,$n)):"
    "$e(new Error('$k: $w failed'))})})};",
]
_WORDS = [
    "nav",
    "menu",
    "track",
    "ads",
    "consent",
    "video",
    "player",
    "header",
    "footer",
    "teaser",
    "promo",
    "image",
    "lazy",
    "sticky",
    "share",
    "social",
    "comments",
    "paywall",
    "metrics",
    "vitals",
    "cmp",
    "gpt",
    "prebid",
    "bid",
    "slot",
    "analytics",
    "chartbeat",
    "comscore",
    "newsletter",
    "search",
    "drawer",
    "modal",
    "carousel",
    "related",
    "trending",
    "live",
    "ticker",
]
_CSS_SUFFIXES = ["", "-item", "__link", "--active", "-wrap", "__inner"]
_CSS_PROPS = [
    "display:flex",
    "display:block",
    "display:none",
    "display:grid",
    "margin:0",
    "margin:0 auto",
    "padding:0 16px",
    "padding:8px 12px",
    "font-size:14px",
    "font-size:1.125rem",
    "line-height:1.5",
    "color:#222",
    "color:#fff",
    "color:#6e6e6e",
    "background:#fff",
    "background-color:#f6f6f6",
    "border-bottom:1px solid #e0e0e0",
    "font-weight:700",
    "text-decoration:none",
    "position:relative",
    "position:absolute",
    "top:0",
    "left:0",
    "z-index:10",
    "width:100%",
    "max-width:1280px",
    "grid-template-columns:repeat(12,1fr)",
    "gap:24px",
    "align-items:center",
    "overflow:hidden",
    "transition:opacity .2s ease-in-out",
    "font-family:Georgia,'Times New Roman',serif",
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif",
]
_ICONS = ("facebook", "twitter", "whatsapp", "email", "linkedin", "link", "search", "menu", "user")
_GTM = string.Template(
    "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
    "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;"
    "j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})"
    "(window,document,'script','dataLayer','$gtm');</script>\n"
    "<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?"
    "n.callMethod.apply(n,arguments):n.queue.push(arguments)};n.queue=[];t=b.createElement(e);"
    "t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}"
    "(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');"
    "fbq('init','$pixel');fbq('track','PageView');</script>\n"
    "<script>var _sf_async_config={uid:$uid,domain:'$domain',sections:'$section'};</script>\n"
)


def _ident(rng: random.Random) -> str:
    tail = rng.choices(string.ascii_letters + "_$", k=rng.randint(0, 2))
    return rng.choice(string.ascii_letters) + "".join(tail)


class _Chrome:
    """Pre-generated script and style snippets; pages take runs of them so each page differs."""

    def __init__(self) -> None:
        rng = random.Random(20050101)  # chrome content is noise; only its slicing is per page
        self.js = [self._js(rng) for _ in range(4000)]
        self.css = [self._css(rng) for _ in range(3000)]
        self.icons = {name: self._svg(rng) for name in _ICONS}

    @staticmethod
    def _js(rng: random.Random) -> str:
        fill = {k: _ident(rng) for k in "fabcieF"}
        fill.update(
            k=rng.choice(_WORDS),
            w=rng.choice(_WORDS),
            n=str(rng.randint(2, 99999)),
            m=str(rng.randint(100, 99999)),
            h=f"{rng.getrandbits(40):010x}",
        )
        return string.Template(rng.choice(_JS)).safe_substitute(fill)

    @staticmethod
    def _css(rng: random.Random) -> str:
        def part() -> str:
            return f".{rng.choice(_WORDS)}{rng.choice(_CSS_SUFFIXES)}"

        sel = ",".join(
            " ".join(part() for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 3))
        )
        rule = f"{sel}{{{';'.join(rng.sample(_CSS_PROPS, rng.randint(2, 7)))}}}"
        if rng.random() < 0.15:
            rule = f"@media (min-width:{rng.choice([600, 768, 1024, 1280])}px){{{rule}}}"
        return rule

    @staticmethod
    def _svg(rng: random.Random) -> str:
        points = " ".join(f"{rng.uniform(0, 24):.3f},{rng.uniform(0, 24):.3f}" for _ in range(60))
        return (
            '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" '
            f'focusable="false"><path d="M{points}z"/></svg>'
        )

    def run(self, pool: list[str], rng: random.Random, size: int) -> str:
        """Consecutive snippets from a random start, about `size` characters."""
        i, out, total = rng.randrange(len(pool)), [], 0
        while total < size:
            out.append(pool[i % len(pool)])
            total += len(out[-1])
            i += 1
        return "\n".join(out)


@functools.lru_cache(maxsize=1)
def _chrome() -> _Chrome:
    return _Chrome()


# --------------------------------------------------------------------------- text pools

_FIRST = [
    "James",
    "Sarah",
    "David",
    "Emma",
    "Michael",
    "Laura",
    "Daniel",
    "Sophie",
    "Mark",
    "Helen",
    "Paul",
    "Rachel",
    "Andrew",
    "Claire",
    "Richard",
    "Kate",
    "Simon",
    "Anna",
    "Peter",
    "Lucy",
    "Tom",
    "Jane",
    "Chris",
    "Nina",
    "Raj",
    "Priya",
    "Ahmed",
    "Fatima",
    "Liam",
    "Chloe",
]
_LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "Hughes",
]
_ROLES = {
    "business": ("Business reporter", "Economics correspondent", "Business editor"),
    "entertainment": ("Entertainment reporter", "Arts correspondent", "Culture editor"),
    "politics": ("Political correspondent", "Political editor", "Westminster reporter"),
    "sport": ("Sports reporter", "Chief football writer", "Sports editor"),
    "tech": ("Technology reporter", "Technology correspondent", "Digital editor"),
}
_SECTIONS = [
    "News",
    "UK",
    "World",
    "Business",
    "Politics",
    "Technology",
    "Science",
    "Health",
    "Education",
    "Entertainment & Arts",
    "Sport",
    "Football",
    "Cricket",
    "Rugby Union",
    "Tennis",
    "Golf",
    "Formula 1",
    "Athletics",
    "Weather",
    "Travel",
    "Culture",
    "Opinion",
    "Video",
    "Audio",
    "Live",
    "Local News",
    "Money",
    "Property",
    "Motoring",
    "Lifestyle",
    "Food & Drink",
    "Puzzles",
    "Crosswords",
    "Newsletters",
    "Podcasts",
    "Obituaries",
    "Letters",
    "Climate",
    "Markets",
    "Companies",
    "Economy",
    "Personal Finance",
    "Jobs",
    "Europe",
    "US & Canada",
    "Asia",
    "Africa",
    "Middle East",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "England",
    "Books",
    "Film",
    "Music",
    "TV & Radio",
    "Gaming",
    "Gadgets",
    "Reviews",
    "In Pictures",
    "Features",
    "Analysis",
    "Fact Check",
    "Magazine",
    "Archive",
    "Events",
    "Shop",
]
_FOOTER = [
    "About us",
    "Contact us",
    "Advertise with us",
    "Careers",
    "Terms of use",
    "Privacy policy",
    "Cookie policy",
    "Cookie settings",
    "Accessibility help",
    "Complaints",
    "Corrections",
    "Editorial standards",
    "Syndication",
    "Subscriptions",
    "Help & FAQs",
    "Sitemap",
    "RSS feeds",
    "Newsletters",
    "Mobile apps",
    "Contributors",
    "Modern slavery statement",
    "Archive",
    "Shop",
]
_SUBHEADS = [
    "What happens next?",
    "Background",
    "Reaction",
    "Analysis",
    "The bigger picture",
    "What they said",
    "Key points",
    "Looking ahead",
    "Why it matters",
    "Mixed response",
]
_COMMENTS = [
    "Great article, thanks for sharing.",
    "I don't agree with this at all.",
    "This is exactly what I said would happen last year.",
    "Who is going to pay for all of this in the end? Us, of course.",
    "Interesting read, but it misses the point about regional jobs.",
    "Typical. Nothing ever changes.",
    "Well said.",
    "Can anyone explain what this actually means for ordinary people?",
    "The figures quoted here don't add up.",
    "Finally some good news for a change!",
    "I remember when this was first announced and everybody laughed.",
    "Spot on. Shame nobody in charge will listen.",
]
_COMMENTERS = [
    "daveh1972",
    "Concerned of Leeds",
    "M. Patel",
    "sarah_k",
    "OldTimer",
    "JB",
    "northern_lass",
    "Realist99",
    "Tom W",
    "anon",
    "GrumpyGit",
    "Pete from Bristol",
]
_CAPTIONS = [
    "The announcement came after weeks of speculation",
    "File photo",
    "Officials met on Monday",
    "Analysts had expected the move",
    "Crowds gathered outside",
    "The decision surprised many observers",
]
_TEAMS = [
    "Chelsea",
    "Arsenal",
    "Man Utd",
    "Everton",
    "Liverpool",
    "Bolton",
    "Middlesbrough",
    "Charlton",
    "Tottenham",
    "Aston Villa",
    "Newcastle",
    "Fulham",
]
_INDICES = ["FTSE 100", "FTSE 250", "Dow Jones", "Nasdaq", "Nikkei 225", "DAX", "CAC 40"]


# --------------------------------------------------------------------------- shared fragments


@dataclass
class _Ctx:
    art: Article
    site: str
    domain: str
    uid: int
    rng: random.Random
    published: datetime
    modified: datetime | None
    author: str
    role: str
    others: list[Article]  # other stories for related / most read / read more
    url: str = ""

    def href(self, art: Article) -> str:
        return f"https://www.{self.domain}/{art.category}/{slugify(art.title)}"

    def section(self, name: str) -> str:
        return f"https://www.{self.domain}/{slugify(name)}/"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def _json(obj: object) -> str:
    return json.dumps(obj).replace("</", "<\\/")  # "</" would end the <script> early


def _nice(d: datetime, fmt: str) -> str:
    return re.sub(r"\b0(\d)", r"\1", d.strftime(fmt))  # "4 August", not "04 August"


def _links(c: _Ctx, n: int, cls: str = "", pool: list[str] = _SECTIONS) -> str:
    names = c.rng.sample(pool, min(n, len(pool)))
    return "".join(f'<li class="{cls}"><a href="{c.section(s)}">{esc(s)}</a></li>' for s in names)


def _scripts(c: _Ctx, count: int, lo: int, hi: int) -> str:
    ch, rng = _chrome(), c.rng
    return "".join(
        f"<script>{ch.run(ch.js, rng, rng.randint(lo, hi))}</script>\n" for _ in range(count)
    )


def _head(c: _Ctx, styles: int, scripts: int) -> str:
    ch, rng, a = _chrome(), c.rng, c.art
    pub = c.published.isoformat()
    desc = esc(a.paragraphs[0].split(". ")[0][:200])
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": pub,
        "dateModified": (c.modified or c.published).isoformat(),
        "author": {"@type": "Person", "name": c.author},
        "articleSection": a.category.title(),
        "publisher": {
            "@type": "Organization",
            "name": c.site,
            "logo": {"@type": "ImageObject", "url": f"https://www.{c.domain}/logo.png"},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": c.url},
        "image": [f"https://cdn.{c.domain}/img/{c.uid}/1200x675.jpg"],
    }
    mod = c.modified.isoformat() if c.modified else ""
    mod = f'<meta property="article:modified_time" content="{mod}">\n' if mod else ""
    css = "".join(
        f"<style>{ch.run(ch.css, rng, rng.randint(5000, 20000))}</style>\n" for _ in range(styles)
    )
    tags = _GTM.substitute(
        gtm=f"GTM-{rng.getrandbits(24):06X}",
        pixel=rng.randint(10**14, 10**15),
        uid=rng.randint(10000, 99999),
        domain=c.domain,
        section=a.category,
    )
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(a.title)} | {esc(c.site)}</title>
<meta name="description" content="{desc}">
<link rel="canonical" href="{c.url}">
<meta property="og:site_name" content="{esc(c.site)}">
<meta property="og:title" content="{esc(a.title)}">
<meta property="og:url" content="{c.url}">
<meta property="og:type" content="article">
<meta property="og:description" content="{desc}">
<meta property="og:image" content="https://cdn.{c.domain}/img/{c.uid}/1200x675.jpg">
<meta property="article:published_time" content="{pub}">
{mod}<meta property="article:section" content="{a.category.title()}">
<meta name="twitter:card" content="summary_large_image">
<link rel="preconnect" href="https://cdn.{c.domain}">
<link rel="preconnect" href="https://securepubads.g.doubleclick.net">
<link rel="stylesheet" href="https://cdn.{c.domain}/assets/main.{rng.getrandbits(32):08x}.css">
<script type="application/ld+json">{_json(ld)}</script>
{css}{tags}{_scripts(c, scripts, 4000, 16000)}</head>"""


def _tail(c: _Ctx, scripts: int) -> str:
    client = c.rng.randint(10**6, 10**7)
    beacon = f"https://sb.scorecardresearch.com/p?c1=2&amp;c2={client}&amp;cj=1"
    return (
        f'<noscript><img height="1" width="1" style="display:none" alt="" src="{beacon}">'
        '</noscript>\n<script async src="https://static.chartbeat.com/js/chartbeat.js"></script>\n'
        f"{_scripts(c, scripts, 5000, 18000)}"
    )


_SHARE = [
    ("facebook", "Share on Facebook"),
    ("twitter", "Share on Twitter"),
    ("whatsapp", "Share on WhatsApp"),
    ("linkedin", "Share on LinkedIn"),
    ("email", "Share by email"),
    ("link", "Copy link"),
]


def _share(c: _Ctx, item: str) -> str:
    icons = _chrome().icons
    return "".join(
        f'<{item} class="share-{n}"><a href="https://share.example/{n}?u={esc(c.url)}" '
        f'rel="noopener" target="_blank" aria-label="{label}">{icons[n]}'
        f'<span class="sr-only">{label}</span></a></{item}>'
        for n, label in _SHARE
    )


def _body(
    c: _Ctx, p: str, h2: str, ad: str, more: str, start: int = 0, extra: str = ""
) -> tuple[str, list[str]]:
    """Paragraphs from `start` on, with occasional subheadings, ads and a read-more box.

    `extra` (a related-links list, a pull quote) goes once after a random paragraph.
    Returns the HTML and the truth lines (paragraphs plus subheadings, in page order).
    """
    rng, paras = c.rng, c.art.paragraphs[start:]
    out, truth = [], []
    extra_at = rng.randint(1, max(1, len(paras) - 1))
    more_at = rng.randint(1, max(1, len(paras) - 2)) if rng.random() < 0.55 else -1
    subs: dict[int, str] = {}
    if len(paras) >= 6 and rng.random() < 0.4:
        k = rng.choice((1, 2))
        subs = dict(
            zip(rng.sample(range(3, len(paras) - 1), k), rng.sample(_SUBHEADS, k), strict=True)
        )
    for j, text in enumerate(paras):
        if j in subs:
            out.append(h2.format(text=esc(subs[j])))
            truth.append(subs[j])
        out.append(p.format(text=esc(text)))
        truth.append(text)
        if j == more_at:
            out.append(more.format(href=c.href(c.others[0]), headline=esc(c.others[0].title)))
        elif j % 4 == 2 and j < len(paras) - 1 and rng.random() < 0.7:
            out.append(ad.format(id=f"{c.uid}-{j}", n=j))
        if j == extra_at and extra:
            out.append(extra)
    return "\n".join(out), truth


def _inline_related(c: _Ctx, cls: str) -> str:
    items = "".join(f'<li><a href="{c.href(o)}">{esc(o.title)}</a></li>' for o in c.others[1:4])
    return f'<div class="{cls}"><p>You may also be interested in:</p><ul>{items}</ul></div>'


def _pull_quote(c: _Ctx, cls: str) -> str:
    """A sentence of the story repeated as a pull quote: boilerplate that looks like content."""
    sentences = [s for p in c.art.paragraphs for s in p.split(". ") if 8 <= len(s.split()) <= 30]
    quote = c.rng.choice(sentences) if sentences else c.art.paragraphs[0]
    return f'<blockquote class="{cls}"><p>&ldquo;{esc(quote.rstrip("."))}&rdquo;</p></blockquote>'


def _comments(c: _Ctx, item: str) -> tuple[int, str]:
    rng, n = c.rng, c.rng.randint(2, 8)
    rows = []
    for k in range(n):
        when = c.published + timedelta(hours=rng.randint(1, 72), minutes=rng.randint(0, 59))
        text = " ".join(rng.sample(_COMMENTS, rng.randint(1, 3)))
        rows.append(
            item.format(
                id=c.uid * 100 + k,
                name=esc(rng.choice(_COMMENTERS)),
                iso=when.isoformat(),
                when=when.strftime("%d %B %Y at %H:%M"),
                text=esc(text),
            )
        )
    return n, "\n".join(rows)


def _data_table(c: _Ctx, cls: str) -> str:
    """A sidebar data widget: league table on sport pages, market prices elsewhere."""
    rng = c.rng
    if c.art.category == "sport":
        head, caption = ("Pos", "Team", "Pld", "Pts"), "Premiership table"
        rows = [
            (str(i + 1), t, str(rng.randint(20, 30)), str(rng.randint(25, 70)))
            for i, t in enumerate(rng.sample(_TEAMS, 6))
        ]
    else:
        head, caption = ("Index", "Value", "Change"), "Markets data"
        rows = [
            (i, f"{rng.uniform(1000, 12000):,.2f}", f"{rng.uniform(-2, 2):+.2f}%")
            for i in rng.sample(_INDICES, 5)
        ]
    ths = "".join(f"<th>{h}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>\n" for row in rows)
    return (
        f'<table class="{cls}"><caption>{caption}</caption>\n<thead><tr>{ths}</tr></thead>\n'
        f"<tbody>\n{trs}</tbody></table>"
    )


def _footer_cols(c: _Ctx, col: str) -> str:
    names = c.rng.sample(
        ["Sections", "Company", "Help", "More", "Follow us", "Legal"], c.rng.randint(4, 6)
    )
    return "\n".join(
        col.format(title=name, links=_links(c, c.rng.randint(5, 10), pool=_FOOTER))
        for name in names
    )


# --------------------------------------------------------------------------- templates

_WP_AD = (
    '<div class="code-block code-block-{n}" style="margin: 8px auto; clear: both;">\n'
    '<span class="ad-label">Advertisement</span>\n'
    '<div id="div-gpt-ad-{id}" style="min-height:250px"></div></div>'
)
_WP_MORE = (
    '<p class="inline-related"><strong>Read more:</strong> <a href="{href}">{headline}</a></p>'
)
_WP_COMMENT = """<li id="comment-{id}" class="comment even thread-even depth-1">
<article class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{name}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-{id}"><time datetime="{iso}">{when}</time></a>
</div></footer>
<div class="comment-content"><p>{text}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">Reply</a></div>
</article></li>"""


def _wordpress(c: _Ctx) -> tuple[str, list[str]]:
    rng, a, d = c.rng, c.art, c.domain
    cat = a.category.title()
    body, truth = _body(
        c, "<p>{text}</p>", '<h2 class="wp-block-heading">{text}</h2>', _WP_AD, _WP_MORE
    )
    menu = "\n".join(
        f'<li class="menu-item menu-item-has-children"><a href="{c.section(s)}">{esc(s)}</a>\n'
        f'<ul class="sub-menu">{_links(c, rng.randint(3, 7), "menu-item")}</ul></li>'
        for s in rng.sample(_SECTIONS, rng.randint(5, 8))
    )
    comments = ""
    if rng.random() < 0.7:
        n, rows = _comments(c, _WP_COMMENT)
        comments = f"""<div id="comments" class="comments-area">
<h2 class="comments-title">{n} thoughts on &ldquo;{esc(a.title)}&rdquo;</h2>
<ol class="comment-list">{rows}</ol>
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form class="comment-form"><p class="comment-notes">Your email address will not be published.
Required fields are marked *</p><textarea id="comment" name="comment" rows="8"></textarea>
<input name="submit" type="submit" value="Post Comment"></form></div></div>"""
    recent = "".join(
        f'<li><a href="{c.href(o)}">{esc(o.title)}</a></li>\n'
        for o in c.others[1 : rng.randint(6, 11)]
    )
    prev_, next_ = c.others[-1], c.others[-2]
    pub = f"""<time class="entry-date published" datetime="{c.published.isoformat()}">\
{_nice(c.published, "%B %d, %Y")}</time>"""
    if c.modified:
        pub += f"""<time class="updated" datetime="{c.modified.isoformat()}">\
{_nice(c.modified, "%B %d, %Y")}</time>"""
    page = f"""<!DOCTYPE html>
<html lang="en">
{_head(c, rng.randint(2, 4), rng.randint(2, 4))}
<body class="post-template-default single single-post postid-{c.uid} single-format-standard">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden">
<div class="cookie-notice-container"><span id="cn-notice-text">We use cookies to ensure that we
give you the best experience on our website. If you continue to use this site we will assume that
you are happy with it.</span><a href="#" id="cn-accept-cookie" class="cn-button">Ok</a>
<a href="https://{d}/privacy-policy/" class="cn-more-info">Privacy policy</a></div></div>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="https://{d}/" rel="home">{esc(c.site)}</a>
</p><p class="site-description">Independent news since 1998</p></div>
<nav id="site-navigation" class="main-navigation">
<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">\
{_chrome().icons["menu"]}Menu</button>
<ul id="primary-menu" class="menu">{menu}</ul></nav>
</header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<nav class="yoast-breadcrumb" aria-label="breadcrumbs"><span><span><a href="https://{d}/">Home</a>
 » <span><a href="https://{d}/{a.category}/">{cat}</a> » <span class="breadcrumb_last"
aria-current="page">{esc(a.title)}</span></span></span></span></nav>
<article id="post-{c.uid}" class="post-{c.uid} post type-post status-publish format-standard
has-post-thumbnail hentry category-{a.category}">
<header class="entry-header"><h1 class="entry-title">{esc(a.title)}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="{c.url}" rel="bookmark">{pub}
</a></span> <span class="byline">by <span class="author vcard"><a class="url fn n"
href="https://{d}/author/{slugify(c.author)}/">{esc(c.author)}</a></span></span></div></header>
<div class="post-thumbnail"><img width="1200" height="675" alt="" loading="lazy"
src="https://{d}/wp-content/uploads/{c.published:%Y/%m}/{c.uid}.jpg"
class="attachment-post-thumbnail size-post-thumbnail wp-post-image"></div>
<div class="entry-content">
{body}
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social">
<h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>{_share(c, "li")}</ul></div>
</div></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in
<a href="https://{d}/{a.category}/" rel="category tag">{cat}</a></span>
<span class="tags-links">Tagged <a href="https://{d}/tag/news/" rel="tag">news</a>,
<a href="https://{d}/tag/{a.category}/" rel="tag">{a.category}</a></span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Posts">
<h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">
<div class="nav-previous"><a href="{c.href(prev_)}" rel="prev"><span class="meta-nav">Previous
Post</span> {esc(prev_.title)}</a></div>
<div class="nav-next"><a href="{c.href(next_)}" rel="next"><span class="meta-nav">Next
Post</span> {esc(next_.title)}</a></div></div></nav>
{comments}
</main></div>
<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search">
<form role="search" method="get" class="search-form" action="https://{d}/"><label>
<span class="screen-reader-text">Search for:</span><input type="search" class="search-field"
placeholder="Search &hellip;" name="s"></label><input type="submit" value="Search"></form>
</section>
<section id="recent-posts-2" class="widget widget_recent_entries">
<h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Categories
</h2><ul>{_links(c, 8, "cat-item")}</ul></section>
</aside></div>
<footer id="colophon" class="site-footer"><div class="footer-widgets">
{
        _footer_cols(
            c,
            '<div class="footer-widget"><h2 class="widget-title">{title}</h2>'
            "<ul>{links}</ul></div>",
        )
    }
</div>
<div class="site-info">&copy; {c.published.year} {esc(c.site)}. All rights reserved.
<span class="sep"> | </span>Proudly powered by WordPress</div></footer>
</div>
{_tail(c, rng.randint(2, 4))}</body>
</html>"""
    return page, truth


def _newspaper(c: _Ctx) -> tuple[str, list[str]]:
    rng, a, d = c.rng, c.art, c.domain

    def h() -> str:  # CSS-in-JS style hashed class names
        return f"css-{rng.getrandbits(28):07x} e{rng.randint(1, 9)}{rng.getrandbits(20):05x}"

    standfirst = len(a.paragraphs) > 1 and rng.random() < 0.5
    body, truth = _body(
        c,
        f'<div data-component="text-block" class="{h()}"><p class="{h()}">{{text}}</p></div>',
        f'<div data-component="subheadline-block" class="{h()}">\n'
        f'<h2 class="{h()}">{{text}}</h2></div>',
        f'<div data-component="ad-slot" class="{h()}">\n<div class="advert-label">Advertisement'
        '</div>\n<div id="dfp-ad--inline{n}" class="ad-slot ad-slot--inline"></div></div>',
        f'<div data-component="links-block" class="{h()}"><p><b>Read more:</b>\n'
        f'<a href="{{href}}" class="{h()}">{{headline}}</a></p></div>',
        start=int(standfirst),
        extra=_inline_related(c, h()) if rng.random() < 0.35 else "",
    )
    lead = ""
    if standfirst:  # Guardian-style: the first paragraph sits in the header, above the byline
        lead = (
            f'<div data-component="standfirst" class="{h()}"><p class="{h()}"><b>'
            f"{esc(a.paragraphs[0])}</b></p></div>"
        )
        truth.insert(0, a.paragraphs[0])
    mega = "\n".join(
        f'<div class="{h()}"><h3>{esc(s)}</h3>\n<ul>{_links(c, rng.randint(3, 6))}</ul></div>'
        for s in rng.sample(_SECTIONS, rng.randint(3, 6))
    )
    related = "\n".join(
        f'<li class="{h()}"><a href="{c.href(o)}">{esc(o.title)}</a></li>'
        for o in c.others[1 : rng.randint(4, 7)]
    )
    most = "\n".join(
        f'<li class="{h()}"><span class="{h()}">{k + 1}</span>'
        f'<a href="{c.href(o)}">{esc(o.title)}</a></li>'
        for k, o in enumerate(c.others[7 : 7 + rng.randint(5, 10)])
    )
    updated = ""
    if c.modified:
        updated = (
            f'<span class="{h()}">Updated <time datetime="{c.modified.isoformat()}">'
            f"{_nice(c.modified, '%d %B %Y')}</time></span>"
        )
    # Next.js sites ship the article again as JSON; extractors must not read scripts.
    state = {
        "props": {
            "pageProps": {
                "article": {
                    "id": c.uid,
                    "headline": a.title,
                    "section": a.category,
                    "blocks": [{"type": "text", "model": {"text": p}} for p in a.paragraphs],
                },
                "mostRead": [o.title for o in c.others[7:12]],
            }
        },
        "buildId": f"{rng.getrandbits(40):010x}",
    }
    icons = _chrome().icons
    page = f"""<!DOCTYPE html>
<html lang="en" class="no-js">
{_head(c, rng.randint(2, 3), rng.randint(3, 5))}
<body>
<div id="__next">
<div data-component="cookie-banner" role="dialog" class="{h()}">
<h2 id="cookie-banner-title">Let us know you agree to cookies</h2>
<p class="{h()}">We use cookies to give you the best online experience. Please let us know if you
agree to all of these cookies.</p><button class="{h()}">Yes, I agree</button>
<a href="https://www.{d}/cookie-settings" class="{h()}">No, take me to cookie settings</a></div>
<header data-component="masthead" class="{h()}">
<a href="#main-content" class="{h()}">Skip to content</a>
<div class="{h()}"><a href="https://www.{d}/" class="{h()}">{esc(c.site)}</a>
<button class="{h()}" aria-label="Search">{icons["search"]}</button>
<a href="https://account.{d}/signin" class="{h()}">{icons["user"]}Sign in</a></div>
<nav aria-label="Main" class="{h()}"><ul class="{h()}">{_links(c, rng.randint(8, 14))}</ul>
<div class="{h()}" data-testid="mega-menu" hidden>{mega}</div></nav></header>
<main id="main-content" role="main" class="{h()}">
<article class="{h()}">
<header class="{h()}"><nav aria-label="Breadcrumb" class="{h()}"><ol>
<li><a href="https://www.{d}/">Home</a></li><li><a href="https://www.{d}/news">News</a></li>
<li><a href="https://www.{d}/news/{a.category}">{a.category.title()}</a></li></ol></nav>
<h1 id="main-heading" class="{h()}">{esc(a.title)}</h1>
{lead}
<div data-component="byline-block" class="{h()}"><div class="{h()}">
<span class="{h()}">By {esc(c.author)}</span><span class="{h()}">{esc(c.role)}</span></div>
<time datetime="{c.published.isoformat()}" class="{h()}">{_nice(c.published, "%d %B %Y")}</time>
{updated}</div></header>
<figure data-component="image-block" class="{h()}">
<img src="https://ichef.{d}/news/976/{c.uid}.jpg" alt="" width="976" height="549">
<figcaption class="{h()}"><span class="{h()}">Image source, Getty Images</span>
<span class="{h()}">Image caption, {esc(rng.choice(_CAPTIONS))}</span></figcaption></figure>
{body}
<div data-component="tag-list" class="{h()}"><h2>Related Topics</h2>
<ul>{_links(c, rng.randint(2, 5))}</ul></div>
<div class="{h()}" data-component="share-tools"><ul>{_share(c, "li")}</ul></div>
</article>
<section data-component="related-stories" class="{h()}">
<h2 class="{h()}">Related stories</h2><ul>{related}</ul></section>
<aside class="{h()}"><section data-component="most-read" class="{h()}">
<h2 class="{h()}">Most read</h2><ol>{most}</ol></section>
<section class="{h()}">{_data_table(c, h())}</section></aside>
</main>
<footer data-component="footer" class="{h()}"><div class="{h()}">
{_footer_cols(c, f'<div class="{h()}"><h3>{{title}}</h3><ul>{{links}}</ul></div>')}</div>
<p class="{h()}">Copyright &copy; {c.published.year} {esc(c.site)}. All rights reserved.
{esc(c.site)} is not responsible for the content of external sites.</p></footer>
</div>
<script id="__NEXT_DATA__" type="application/json">{_json(state)}</script>
{_tail(c, rng.randint(2, 4))}</body>
</html>"""
    return page, truth


_SOUP_AD = """<div class="adbox adbox-inread" id="ad_{id}"><div class="adlbl">Advertisement</div>
<div class="adcnt"><iframe src="about:blank" width="300" height="250" frameborder="0"></iframe>
</div><div class="adlbl2">Continue reading below</div></div>"""
_SOUP_MORE = (
    '<div class="rm"><span class="rm-l">Read more:</span> '
    '<a href="{href}" class="rm-a">{headline}</a></div>'
)
_SOUP_COMMENT = """<div class="cmt" id="c{id}"><div class="cmt-u">{name}</div>
<div class="cmt-d">{when}</div><div class="cmt-t">{text}</div>
<div class="cmt-a"><a href="#">Reply</a> | <a href="#">Report</a></div></div>"""


def _divsoup(c: _Ctx) -> tuple[str, list[str]]:
    rng, a, d = c.rng, c.art, c.domain
    related = _inline_related(c, "inl-rel") if rng.random() < 0.35 else ""
    body, truth = _body(
        c, "<p>{text}</p>", '<h2 class="sub">{text}</h2>', _SOUP_AD, _SOUP_MORE, extra=related
    )
    menu = "\n".join(
        f'<div class="mi"><a href="{c.section(s)}">{esc(s)}</a></div>'
        for s in rng.sample(_SECTIONS, rng.randint(14, 30))
    )
    sub = "\n".join(
        f'<div class="smi"><a href="{c.section(s)}">{esc(s)}</a></div>'
        for s in rng.sample(_SECTIONS, rng.randint(6, 20))
    )
    rel = "\n".join(
        f'<div class="rel-it"><a href="{c.href(o)}"><div class="rel-img"></div>'
        f'<div class="rel-t">{esc(o.title)}</div></a></div>'
        for o in c.others[1 : rng.randint(5, 9)]
    )
    most = "\n".join(
        f'<div class="it"><span class="no">{k + 1}.</span> '
        f'<a href="{c.href(o)}">{esc(o.title)}</a></div>'
        for k, o in enumerate(c.others[9 : 9 + rng.randint(5, 10)])
    )
    comments = ""
    if rng.random() < 0.35:
        n, rows = _comments(c, _SOUP_COMMENT)
        comments = (
            f'<div class="cmts" id="comments"><div class="cmts-hd">Comments ({n})</div>\n'
            f"{rows}</div>"
        )
    share = f'<div class="shr">{_share(c, "span")}</div>'
    tags = ", ".join(f'<a href="https://{d}/tag/{t}/">{t}</a>' for t in (a.category, "news", "uk"))
    page = f"""<!DOCTYPE html>
<html lang="en">
{_head(c, rng.randint(1, 3), rng.randint(2, 5))}
<body>
<div id="wrap">
<div class="topbar"><div class="cookie" id="cookiebar">We use cookies to personalise content and
ads and to analyse our traffic. <a href="https://{d}/cookies.html">Cookie policy</a>
<span class="btn" onclick="acceptCookies()">Accept all</span></div>
<div class="tb-date">{_nice(c.published, "%A, %d %B %Y")}</div></div>
<div class="hdr"><div class="logo"><a href="https://{d}/"><img src="https://{d}/img/logo.gif"
alt="{esc(c.site)}"></a></div>
<div class="menu">{menu}</div><div class="submenu">{sub}</div></div>
<div class="bc"><a href="https://{d}/">Home</a> &gt; <a href="https://{d}/{a.category}/">\
{a.category.title()}</a> &gt; <span>Article</span></div>
<div class="main"><div class="lcol">
<div class="art">
<div class="art-hd"><h1 class="ttl">{esc(a.title)}</h1>
<div class="auth">By <a href="https://{d}/staff/{slugify(c.author)}.html">{esc(c.author)}</a> |
<time datetime="{c.published.isoformat()}">{c.published:%d/%m/%Y %H:%M}</time></div></div>
{share}
<div class="art-bd"><div class="txt">
{body}
</div></div>
<div class="tags">Tags: {tags}</div>
{share}
</div>
<div class="rel"><div class="rel-hd">Related stories</div>{rel}</div>
{comments}
</div>
<div class="rcol"><div class="box"><div class="box-hd">Most read</div>{most}</div>
<div class="box">{_data_table(c, "dt")}</div>
<div class="box adbox" id="ad_side_{c.uid}"><div class="adlbl">Advertisement</div></div></div>
</div>
<div class="ftr">
{_footer_cols(c, '<div class="fcol"><div class="fcol-hd">{title}</div><ul>{links}</ul></div>')}
<div class="copy">&copy; {c.published.year} {esc(c.site)} Ltd. All rights reserved. Reproduction
in whole or in part without permission is prohibited.</div></div>
</div>
{_tail(c, rng.randint(2, 4))}</body>
</html>"""
    return page, truth


_BLOG_AD = '<div class="kg-card kg-ad-card"><small>Advertisement</small></div>'
_BLOG_MORE = """<figure class="kg-card kg-bookmark-card"><a class="kg-bookmark-container"
href="{href}"><div class="kg-bookmark-content"><div class="kg-bookmark-title">Read more:
{headline}</div></div></a></figure>"""
_BLOG_COMMENT = """<li class="comment" id="comment-{id}"><div class="comment-avatar"></div>
<div class="comment-main"><p class="comment-author">{name}</p><time datetime="{iso}">{when}</time>
<div class="comment-body"><p>{text}</p></div></div></li>"""


def _blog(c: _Ctx) -> tuple[str, list[str]]:
    rng, a, d = c.rng, c.art, c.domain
    quote = _pull_quote(c, "kg-blockquote-alt") if rng.random() < 0.35 else ""
    body, truth = _body(c, "<p>{text}</p>", "<h2>{text}</h2>", _BLOG_AD, _BLOG_MORE, extra=quote)
    cards = "\n".join(
        f'<article class="post-card post tag-{o.category}">'
        f'<a class="post-card-content-link" href="{c.href(o)}"><header class="post-card-header">'
        f'<div class="post-card-primary-tag">{o.category.title()}</div>'
        f'<h2 class="post-card-title">{esc(o.title)}</h2></header>\n'
        f'<section class="post-card-excerpt"><p>{esc(o.paragraphs[0][:140])}…</p></section>'
        "</a></article>"
        for o in c.others[1:4]
    )
    more_in = "\n".join(
        f'<li><h4><a href="{c.href(o)}">{esc(o.title)}</a></h4></li>'
        for o in c.others[4 : rng.randint(9, 11)]
    )
    comments = ""
    if rng.random() < 0.6:
        n, rows = _comments(c, _BLOG_COMMENT)
        comments = f"""<section class="post-full-comments">
<h3 class="comments-title">{n} comments</h3><ol class="comments">{rows}</ol>
<p><a href="https://{d}/signin/">Sign in</a> to join the conversation.</p></section>"""
    minutes = max(1, sum(len(p.split()) for p in a.paragraphs) // 230)
    author = f"https://{d}/author/{slugify(c.author)}/"
    page = f"""<!DOCTYPE html>
<html lang="en">
{_head(c, rng.randint(2, 4), rng.randint(2, 4))}
<body class="post-template tag-{a.category}">
<div class="site-wrapper">
<header id="site-head" class="site-header outer"><div class="inner"><nav class="site-nav">
<div class="site-nav-left"><a class="site-nav-logo" href="https://{d}">{esc(c.site)}</a>
<ul class="nav">{_links(c, rng.randint(6, 12), "nav-item")}</ul></div>
<div class="site-nav-right"><ul class="nav">{_links(c, rng.randint(3, 6), "nav-item")}</ul>
<a class="subscribe-button" href="#subscribe">Subscribe</a></div></nav>
<div class="gh-head-drawer" hidden><h3>Topics</h3><ul>{_links(c, rng.randint(10, 25))}</ul></div>
</div></header>
<div class="gh-cookie-consent" role="region"><p>This site uses cookies. By continuing to browse
you agree to our use of cookies. <a href="https://{d}/cookie-settings/">Manage cookie settings</a>
</p><button>Accept all</button></div>
<main id="site-main" class="site-main outer"><div class="inner">
<article class="post-full post tag-{a.category}">
<header class="post-full-header"><section class="post-full-tags"><a href="https://{d}/">Home</a>
 › <a href="https://{d}/tag/{a.category}/">{a.category.title()}</a></section>
<h1 class="post-full-title">{esc(a.title)}</h1>
<div class="post-full-byline"><section class="post-full-byline-content"><ul class="author-list">
<li class="author-list-item"><a href="{author}" class="author-avatar"><img alt="{esc(c.author)}"
class="author-profile-image" src="https://{d}/content/images/{slugify(c.author)}.jpg"></a></li>
</ul><section class="post-full-byline-meta">
<h4 class="author-name"><a href="{author}">{esc(c.author)}</a></h4>
<div class="byline-meta-content"><time class="byline-meta-date"
datetime="{c.published.date().isoformat()}">{_nice(c.published, "%b %d, %Y")}</time>
<span class="byline-reading-time"><span class="bull">&bull;</span> {minutes} min read</span>
</div></section></section></div></header>
<figure class="post-full-image"><img alt="{esc(a.title)}"
src="https://{d}/content/images/{c.published:%Y/%m}/{c.uid}.jpg">
<figcaption>(Photo: {esc(rng.choice(_CAPTIONS))})</figcaption></figure>
<section class="post-full-content"><div class="post-content">
{body}
</div></section>
<section class="subscribe-form" id="subscribe">
<h3 class="subscribe-form-title">Subscribe to {esc(c.site)}</h3>
<p>Get the latest posts delivered right to your inbox</p><form data-members-form="subscribe">
<input class="subscribe-email" type="email" placeholder="youremail@example.com">
<button class="button" type="submit">Subscribe</button></form></section>
<div class="post-share"><span>Share this:</span>{_share(c, "span")}</div>
{comments}
</article></div></main>
<aside class="read-next outer"><div class="inner"><div class="read-next-feed">
<article class="read-next-card"><header class="read-next-card-header"><h3>More in
<a href="https://{d}/tag/{a.category}/">{a.category.title()}</a></h3></header>
<div class="read-next-card-content"><ul>{more_in}</ul></div></article>
{cards}</div></div></aside>
<footer class="site-footer outer"><div class="site-footer-content inner">
<section class="copyright"><a href="https://{d}">{esc(c.site)}</a> &copy; {c.published.year}.
All rights reserved.</section>
<nav class="site-footer-nav">
{_footer_cols(c, '<div class="footer-col"><h4>{title}</h4><ul>{links}</ul></div>')}</nav>
<a href="https://ghost.org/" target="_blank" rel="noopener">Published with Ghost</a></div></footer>
</div>
{_tail(c, rng.randint(2, 4))}</body>
</html>"""
    return page, truth


_Template = Callable[[_Ctx], tuple[str, list[str]]]
_SITES: list[tuple[str, str, _Template]] = [
    ("The Daily Ledger", "dailyledger.co.uk", _wordpress),
    ("Northern Courier", "northerncourier.com", _wordpress),
    ("The Metropolitan Times", "metrotimes.co.uk", _newspaper),
    ("Daily Chronicle", "dailychronicle.com", _newspaper),
    ("NewsNow Online", "newsnow-online.net", _divsoup),
    ("Metro Wire 24", "metrowire24.com", _divsoup),
    ("The Policy Desk", "policydesk.blog", _blog),
    ("Byte Notes", "bytenotes.io", _blog),
]


def _url(c: _Ctx, render: _Template) -> str:
    slug, day, cat = slugify(c.art.title), c.published, c.art.category
    if render is _wordpress:
        return f"https://{c.domain}/{day:%Y/%m/%d}/{slug}/"
    if render is _newspaper:
        return f"https://www.{c.domain}/news/{cat}-{c.uid}"
    if render is _divsoup:
        return f"https://{c.domain}/{cat}/article-{c.uid}.html"
    return f"https://{c.domain}/{slug}-{c.uid}/"


# --------------------------------------------------------------------------- public API


def build_pages(
    out_dir: Path, n: int = 1200, seed: int = 7, zip_path: Path = DEFAULT_ZIP
) -> list[Page]:
    """Write `n` HTML pages into `out_dir` and return their ground truth (deterministic)."""
    corpus = load_corpus(Path(zip_path))
    order = list(range(len(corpus)))
    random.Random(seed).shuffle(order)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = datetime(2004, 1, 1, 6, tzinfo=UTC)
    pages = []
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")  # per-page stream: repeats get fresh chrome and ids
        art = corpus[order[i % len(order)]]
        site, domain, render = rng.choice(_SITES)
        published = start + timedelta(days=rng.randrange(730), minutes=rng.randrange(16 * 60))
        modified = published + timedelta(hours=rng.randint(2, 60)) if rng.random() < 0.4 else None
        picks = [corpus[k] for k in rng.sample(range(len(corpus)), 24)]
        others = [o for o in picks if o.title != art.title][:20]
        author = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        ctx = _Ctx(
            art,
            site,
            domain,
            10_000 + i * 7 + rng.randrange(7),
            rng,
            published,
            modified,
            author,
            rng.choice(_ROLES[art.category]),
            others,
        )
        ctx.url = _url(ctx, render)
        text, truth = render(ctx)
        path = out_dir / f"{i:05d}-{slugify(site)}.html"
        path.write_text(text, encoding="utf-8")
        day = published.date().isoformat()
        pages.append(Page(path, art.title, "\n".join(truth), art.category, day))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description="Write synthetic news pages from the BBC corpus.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pages = build_pages(args.out_dir, args.n, args.seed)
    total = sum(p.path.stat().st_size for p in pages)
    mean_kb = total / max(1, len(pages)) / 1e3
    print(f"{len(pages)} pages, {total / 1e6:.1f} MB, mean {mean_kb:.0f} KB")


if __name__ == "__main__":
    main()
