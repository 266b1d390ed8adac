"""The plain-text cleaner: title, date and body out of a pasted or saved article.

Text files arrive as someone copied them from a page: a date stamp and a section label above
the headline, "See also" teasers and lone "TAGS" between paragraphs, then sharing widgets,
comment boxes and a list of unrelated headlines at the end. Each rule below removes one such
thing and has a test in tests/test_clean_text.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month{n}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day{n}>\d{{1,2}})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year{n}>(?:19|20)\d{{2}})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s*)?"
# "Today :" is a site's clock, not the article's date: such a date is used only as a fallback.
_LABEL = r"(?:(?P<label>today|published|posted|updated|last updated|date)\s*:?\s*)?"
_TIME = (  # "10:30", "at 10.30 am", "| 14:05 GMT"
    r"(?:\s*(?:at\s*|-\s*|\|\s*)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,4})?)?"
)
_MDY = (_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR).format(n=1)  # October 25, 2024
_DMY = (_DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR).format(n=2)  # 22 October 2024
_ISO = r"(?P<year3>\d{4})-(?P<month3>\d{2})-(?P<day3>\d{2})"  # 2024-10-22
_DATE_LINE = re.compile(rf"^{_LABEL}{_WEEKDAY}(?:{_MDY}|{_DMY}|{_ISO}){_TIME}\s*$", re.I)

# Lines that are site chrome wherever they stand.
_CHROME_LINE = re.compile(
    r"^(?:tags|categories|category|share|share this|share this article|comments|"
    r"advertisement|sponsored|print|email|menu|home|skip to (?:main )?content|"
    r"wordpress\s*\(\s*\d*\s*\)|disqus\s*\(\s*\d*\s*\)|\d+\s+comments?|"
    r"follow us|click here|read more|continue reading)\s*:?$",
    re.I,
)
# "See also  <other headline>" teasers pasted between paragraphs.
_TEASER_LINE = re.compile(
    r"^(?:see also|also read|read also|related|recommended)\b\s*:?\s+\S", re.I
)
# Where the article ends and the page's footer begins: everything from here on is cut.
_FOOTER_START = re.compile(
    r"^(?:discover more from\b|subscribe to get the latest|no comments\b|post a comment$|"
    r"leave a (?:reply|comment)\b|latest (?:contents|news|posts|stories|articles)$|"
    r"related (?:articles|posts|stories|news|content)$|you may also like|more from\b|"
    r"most (?:read|popular|viewed)$|recommended for you|share this(?: article)?:?$|"
    r"comments$|about the author$)",
    re.I,
)
# A footer marker this early is more likely a line of the article than the page's footer.
_MIN_BODY_WORDS_BEFORE_FOOTER = 80
_TITLE_MAX = 120
_HEADLINE_MAX_WORDS = 20


# C0 and C1 control characters and DEL, all but tab and newline: NULs padding a file, ANSI
# escapes, a BEL in a pasted headline. Nothing a reader should get; DuckDB and every
# downstream tool would keep them. A carriage return, vertical tab or form feed ends a line.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_ENDS = re.compile(r"\r\n?|[\x0b\x0c]")
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without control characters (tab and newline kept; CR, VT and FF as newlines)."""
    if not _CONTROLS.search(text):  # most text: one scan, no copy
        return text
    # Regular expressions, not str.translate with a table: pages written with CRLF line ends
    # (a third of the real pages in bench/extraction_real.py) went through translate, a
    # dictionary look-up per character: 2.7 ms a page, 8% of the extraction's CPU.
    return _DROPPED.sub("", _LINE_ENDS.sub("\n", text))


@dataclass(frozen=True, slots=True)
class CleanText:
    title: str | None
    published_at: datetime | None
    text: str


def parse_date_line(line: str) -> tuple[datetime, bool] | None:
    """(date, is_site_clock) when the whole line is a date stamp, else None."""
    m = _DATE_LINE.match(line.strip())
    if not m:
        return None
    n = next(n for n in "123" if m.group(f"year{n}"))
    month = m.group(f"month{n}")
    try:
        month_no = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
        day = datetime(int(m.group(f"year{n}")), month_no, int(m.group(f"day{n}")))
    except ValueError:  # 31 February and friends
        return None
    label = (m.group("label") or "").lower()
    return day, label == "today"


def _words(line: str) -> int:
    return len(line.split())


def _is_paragraph(line: str) -> bool:
    """Running prose, as opposed to a headline, label or stamp."""
    return len(line) > 150 or (_words(line) >= 12 and line.rstrip()[-1:] in '.!?"”’')


def _is_boilerplate(line: str) -> bool:
    return bool(_CHROME_LINE.match(line) or _TEASER_LINE.match(line))


def derive_title(paragraph: str) -> str:
    """A headline from a lede when the text has none: its first sentence, cut at a clause."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", paragraph, maxsplit=1)[0].strip()
    if len(sentence) <= _TITLE_MAX:
        return sentence.rstrip(".")
    head = sentence[:_TITLE_MAX]
    clause = max(head.rfind(", "), head.rfind("; "), head.rfind(" — "), head.rfind(" – "))
    cut = clause if clause >= 40 else head.rfind(" ")
    return head[:cut].rstrip(" ,;—–") + "…"


def clean_text(raw: str) -> CleanText:
    """Split a plain-text article into title, date and a body free of site boilerplate."""
    lines = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]

    # The header is what stands above the first line of running prose: stamps, labels, title.
    header_end = next((i for i, line in enumerate(lines) if _is_paragraph(line)), len(lines))
    header_end = min(header_end, 8)
    dates: list[tuple[datetime, bool]] = []
    title: str | None = None
    body: list[str] = []
    for line in lines[:header_end]:
        stamp = parse_date_line(line)
        if stamp:
            dates.append(stamp)
        elif _is_boilerplate(line):
            continue
        elif title is None:
            title = line
        else:
            body.append(line)  # a standfirst or subtitle under the headline
    # A short label above a longer headline ("World News") is a section name, not the title.
    if title is not None and body and _words(title) < 4 <= _words(body[0]):
        title = body.pop(0)

    words = sum(_words(line) for line in body)
    for line in lines[header_end:]:
        if _FOOTER_START.match(line) and words >= _MIN_BODY_WORDS_BEFORE_FOOTER:
            break
        if _is_boilerplate(line):
            continue
        body.append(line)
        words += _words(line)
    body = _trim_trailing_junk(body)

    if title is None and body:
        title = derive_title(body[0])
    published = next((d for d, clock in dates if not clock), None) or (
        dates[0][0] if dates else None
    )
    return CleanText(title=title, published_at=published, text="\n".join(body))


def _trim_trailing_junk(body: list[str]) -> list[str]:
    """Drop a tail of date stamps, "…" teasers and headline-like lines (no final stop)."""
    end = len(body)
    while end > 1:
        line = body[end - 1]
        if (
            parse_date_line(line)
            or line.endswith(("…", "..."))
            or (_words(line) < _HEADLINE_MAX_WORDS and line[-1] not in '.!?"”’):')
        ):
            end -= 1
        else:
            break
    return body[:end]
