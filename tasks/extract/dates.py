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
# Time zone abbreviations news sites print; dateutil knows none of them but UTC/GMT.
_TZ_ABBREVIATIONS = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "JST": 9, "AEST": 10, "AEDT": 11,
    }.items()
}  # fmt: skip


def parse_datetime(value: object) -> datetime | None:
    """A naive UTC datetime from ISO 8601, RFC 2822, date-only or epoch text; else None.

    Values without a zone are taken as UTC. Nonsense, out-of-range years (before 1900, after
    2099) and the Unix epoch (an unset CMS field) give None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_DATE_LEN:
        return None
    parsed = _parse_date_text(text)
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
    if not _MIN_DATE <= parsed < _MAX_DATE or parsed in _PLACEHOLDER_DATES:
        return None
    return parsed


def _parse_date_text(text: str) -> datetime | None:
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
    # dateutil fills anything missing from today's date ("10" is the 10th of this month):
    # insist on a four-digit year so it only completes dates, never invents them.
    if not _YEAR.search(text):
        return None
    from dateutil import parser as date_parser  # slow to import; only odd dates get here

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning: the time is kept naive
            return date_parser.parse(text, default=datetime(2000, 1, 1), tzinfos=_TZ_ABBREVIATIONS)
    except (ValueError, OverflowError, TypeError, date_parser.ParserError):
        return None


# /2024/10/22/, /2024-10-22-, /20241022/ and /2024/10/ in a URL's path: when the CMS put the
# publication date there. Years 1990-2099 only, so ids like /12345678/ are not read as dates.
_URL_DAY = re.compile(
    r"(?<![\d])((?:199|20\d)\d)[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?![\d])"
)
_URL_MONTH = re.compile(r"/((?:199|20\d)\d)/(0[1-9]|1[0-2])/")
# A date more than this after now is a typo, a scheduled event or an expiry, not the article's
# publication; a day's slack covers the time zones of the site's clock.
FUTURE_SLACK = timedelta(days=1)


def url_date(url: str | None) -> datetime | None:
    """The day (or, failing that, the first of the month) a URL's path names, or None."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("//", 1)[-1].partition("/")[2]  # the host's digits are no date
    for pattern in (_URL_DAY, _URL_MONTH):
        if m := pattern.search("/" + path):
            parts = [int(g) for g in m.groups()] + [1]
            try:
                return datetime(parts[0], parts[1], parts[2])
            except ValueError:
                continue
    return None


def plausible_published(
    value: datetime | None, url: str | None, now: datetime | None = None
) -> bool:
    """False for a published date in the future or before the day (or month) the page's URL
    names: a CMS that puts the date in the URL writes it when the article is published."""
    if value is None:
        return False
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if value > now + FUTURE_SLACK:
        return False
    named = url_date(url)
    return named is None or value >= named - FUTURE_SLACK
