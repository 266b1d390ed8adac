"""Dates as news sources write them, to naive UTC datetimes."""

from __future__ import annotations

import email.utils
import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)")
# RFC 2822 ("Tue, 22 Oct 2024 10:30:00 +0100"). email.utils also accepts looser text but
# then drops what it does not understand ("10:30 AM EDT" comes back as naive 10:30).
_RFC2822 = re.compile(r"^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d\d", re.I)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")  # seconds or milliseconds since 1970
_MIN_DATE, _MAX_DATE = datetime(1900, 1, 1), datetime(2100, 1, 1)
# CMS placeholders, not dates: an unset timestamp field renders as the Unix epoch.
_PLACEHOLDER_DATES = frozenset({datetime(1970, 1, 1)})
_MAX_DATE_LEN = 100
# JavaScript's Date.toString(): 'Tue Feb 20 2018 01:00:00 GMT+0100 (Central European Standard
# Time)'. dateutil reads 'GMT+0100' the POSIX way (an hour *behind* UTC), so it is done here.
_JS_DATE = re.compile(r"^[a-z]{3} ([a-z]{3} \d{1,2} \d{4} \d\d:\d\d:\d\d) GMT([+-]\d{4})\b", re.I)
# dd.mm.yyyy and dd-mm-yyyy: Europe's order (see parse_datetime); never 2022-01-03.
_DAY_FIRST = re.compile(r"(?<![\d.-])\d{1,2}[.-]\d{1,2}[.-]\d{2,4}(?!\d)")
# A weekday before a numeric date ('Di., 25.01.2022 - 14:45'): dateutil knows English names only.
_WEEKDAY_PREFIX = re.compile(r"^[^\W\d]{2,12}\.?,\s*(?=\d)")
# Time zone abbreviations news sites print; dateutil knows none of them but UTC/GMT.
_TZ_ABBREVIATIONS = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "JST": 9, "AEST": 10, "AEDT": 11,
    }.items()
}  # fmt: skip


def parse_datetime(value: object, dayfirst: bool = False) -> datetime | None:
    """A naive UTC datetime from ISO 8601, RFC 2822, date-only or epoch text; else None.

    Values without a zone are taken as UTC. Nonsense, out-of-range years (before 1900, after
    2099) and the Unix epoch (an unset CMS field) give None. `dayfirst`: read an ambiguous
    numeric date ('10/05/2022', '01-11-2023') as day, month, year (see parse_local).
    """
    parsed = parse_local(value, dayfirst)
    return parsed[0] if parsed else None


def parse_local(value: object, dayfirst: bool = False) -> tuple[datetime, timedelta | None] | None:
    """(naive UTC datetime, the UTC offset the text was written in or None), else None.

    The offset gives back the site's own day: '2022-05-03T22:46:08-03:00' is 4 May in UTC
    but 3 May where it was published. Dots and dashes are read day first ('01-11-2023 10:29'
    on a German page of bench/extraction_real.py --metadata was read as January), slashes
    month first, as dateutil does and simmentalzeitung.ch's '11/01/2023' needs, unless
    `dayfirst`: page_metadata() reads eluniversal.com's '10/05/2022 05:22 pm' so where month
    first would put it after the page's last change.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_DATE_LEN:
        return None
    parsed = _parse_date_text(text, dayfirst)
    if parsed is None:
        return None
    offset = None
    if parsed.tzinfo is not None:
        try:
            offset = parsed.utcoffset()
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
    if not _MIN_DATE <= parsed < _MAX_DATE or parsed in _PLACEHOLDER_DATES:
        return None
    return parsed, offset


def _parse_date_text(text: str, dayfirst: bool = False) -> datetime | None:
    try:
        return datetime.fromisoformat(text)  # the common case, and 50x faster than dateutil
    except ValueError:
        pass
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    if _RFC2822.match(text):
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    if m := _JS_DATE.match(text):
        try:
            return datetime.strptime(f"{m.group(1)} {m.group(2)}", "%b %d %Y %H:%M:%S %z")
        except ValueError:
            return None
    text = _WEEKDAY_PREFIX.sub("", text)
    # dateutil fills anything missing from today's date ("10" is the 10th of this month):
    # insist on a four-digit year so it only completes dates, never invents them.
    if not _YEAR.search(text):
        return None
    from dateutil import parser as date_parser  # slow to import; only odd dates get here

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning: the time is kept naive
            return date_parser.parse(
                text,
                default=datetime(2000, 1, 1),
                tzinfos=_TZ_ABBREVIATIONS,
                dayfirst=dayfirst or bool(_DAY_FIRST.search(text)),
            )
    except (ValueError, OverflowError, TypeError, date_parser.ParserError):
        return None


# /2024/10/22/, /2024-10-22-, /20241022/ and /2024/10/ in a URL's path: when the CMS put the
# publication date there. Years 1990-2099 only, so ids like /12345678/ are not read as dates.
_URL_DAY = re.compile(
    r"(?<![\d])((?:199|20\d)\d)[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?![\d])"
)
# /2017/7/12/: Squarespace and others write month and day without a leading zero.
_URL_SLASHED_DAY = re.compile(r"/((?:199|20\d)\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")
_URL_MONTH = re.compile(r"/((?:199|20\d)\d)/(0[1-9]|1[0-2])/")
# A date more than this after now is a typo, a scheduled event or an expiry, not the article's
# publication; a day's slack covers the time zones of the site's clock.
FUTURE_SLACK = timedelta(days=1)
# A published date this long after the day the URL names is a re-publication or a site
# migration's timestamp, not the first appearance the URL recorded. On the dev pages of
# bench/extraction_real.py --metadata declared dates run 0-1 day after the URL's day (time
# zones) except on one page, two years later (a moved blog, gold: the URL's day).
LATE_SLACK = timedelta(days=7)


def url_date(url: str | None) -> datetime | None:
    """The day (or, failing that, the first of the month) a URL's path names, or None."""
    found = _url_day(url)
    return found[0] if found else None


def _url_day(url: str | None) -> tuple[datetime, bool] | None:
    """(the date a URL's path names, whether it names the day and not only the month)."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("//", 1)[-1].partition("/")[2]  # the host's digits are no date
    for pattern in (_URL_DAY, _URL_SLASHED_DAY, _URL_MONTH):
        if m := pattern.search("/" + path):
            parts = [int(g) for g in m.groups()] + [1]
            try:
                return datetime(parts[0], parts[1], parts[2]), pattern is not _URL_MONTH
            except ValueError:
                continue
    return None


def plausible_published(
    value: datetime | None, url: str | None, now: datetime | None = None
) -> bool:
    """False for a published date in the future, before the day (or month) the page's URL
    names, or weeks after the day it names: a CMS that puts the date in the URL writes it
    when the article is published."""
    if value is None:
        return False
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if value > now + FUTURE_SLACK:
        return False
    named = _url_day(url)
    if named is None:
        return True
    day, whole_day = named
    if value < day - FUTURE_SLACK:
        return False
    return not whole_day or value < day + LATE_SLACK


# A time printed with a date: '12:01 Uhr', '22h03', '11:30 p.m.', '@ 10:42 am', '14:15:57'.
_PRINTED_TIME = re.compile(
    r"(?<![\d:])([01]?\d|2[0-3])[:h]([0-5]\d)(?::[0-5]\d)?(?![\d:])(?:\s*([ap])\.?\s?m\b\.?)?", re.I
)
_PRINTED_MIN_DATE = datetime(1990, 1, 1)
_FIRST_DAY = re.compile(r"(?<!\d)0?1(?!\d)")


def printed_date(text: str, now: datetime) -> tuple[datetime, bool] | None:
    """The date a short text prints, in any of the languages and orders htmldate reads
    ('Veröffentlicht am 16.08.2019', '07 Dezember, 2022', 'November 8, 2023 at 11:30 p.m.'),
    with its time if one is printed: (naive datetime in the site's own zone, whether a time
    was printed). None for no date, or one after `now` (and a day's slack)."""
    from htmldate.extractors import try_date_expr  # imported with trafilatura already

    latest = now + FUTURE_SLACK

    def read(expression: str) -> str | None:
        return try_date_expr(expression, "%Y-%m-%d", False, _PRINTED_MIN_DATE, latest)

    if not (found := read(text)):
        return None
    day = datetime.fromisoformat(found)
    if day.day == 1:
        # A month ('1/2019', a magazine's issue) comes back as its first day: it is a day if
        # a 2 printed for one of its 1s makes it the 2nd.
        year = str(day.year)
        bare = text.replace(year, "\0")
        seconds = (
            f"{bare[: m.start()]}2{bare[m.end() :]}".replace("\0", year)
            for m in _FIRST_DAY.finditer(bare)
        )
        if not any(read(second) == f"{found[:8]}02" for second in seconds):
            return None
    if (m := _PRINTED_TIME.search(text)) is None:
        return day, False
    hour, minute = int(m[1]), int(m[2])
    if m[3] and hour <= 12:
        hour = hour % 12 + (12 if m[3].lower() == "p" else 0)
    return day.replace(hour=hour, minute=minute), True
