"""The plain-text cleaner: one test per rule, then the real seed files."""

from __future__ import annotations

from datetime import datetime

import pytest

from tasks.extract.clean_text import clean_text, derive_title, parse_date_line
from tests.conftest import SEEDS

PROSE = (
    "The council met on Tuesday to discuss the harbour plans, and members voted to send "
    "the proposal back to the planning office for another round of consultation."
)


def article(*lines: str) -> str:
    return "\n\n".join(lines)


@pytest.mark.parametrize(
    ("line", "expected", "is_clock"),
    [
        ("Friday, October 25, 2024", datetime(2024, 10, 25), False),
        ("Today : Oct 22, 2024", datetime(2024, 10, 22), True),
        ("22 October 2024", datetime(2024, 10, 22), False),
        ("2024-10-22", datetime(2024, 10, 22), False),
        ("Published: 3rd March 2023 at 10:30 am", datetime(2023, 3, 3), False),
        ("Sept 9, 2021 14:05 GMT", datetime(2021, 9, 9), False),
    ],
)
def test_date_lines_are_recognised(line: str, expected: datetime, is_clock: bool) -> None:
    assert parse_date_line(line) == (expected, is_clock)


@pytest.mark.parametrize(
    "line",
    ["31 February 2024", "October 2024 was a busy month", "World News", "2024", "Oct 22"],
)
def test_non_dates_are_not_date_lines(line: str) -> None:
    assert parse_date_line(line) is None


def test_title_is_the_first_line_and_not_in_the_body() -> None:
    out = clean_text(article("Harbour plan sent back", PROSE))
    assert out.title == "Harbour plan sent back"
    assert out.text == PROSE


def test_date_line_above_the_title_becomes_published_at() -> None:
    out = clean_text(article("Friday, October 25, 2024", "Harbour plan sent back", PROSE))
    assert out.title == "Harbour plan sent back"
    assert out.published_at == datetime(2024, 10, 25)
    assert "2024" not in out.text


def test_article_date_wins_over_the_sites_today_clock() -> None:
    out = clean_text(
        article(
            "Today : Oct 23, 2024", "World News", "22 October 2024", "Harbour plan sent back", PROSE
        )
    )
    assert out.published_at == datetime(2024, 10, 22)


def test_section_label_above_the_headline_is_dropped() -> None:
    out = clean_text(article("World News", "Harbour plan sent back to planners", PROSE))
    assert out.title == "Harbour plan sent back to planners"
    assert "World News" not in out.text


def test_standfirst_under_the_headline_stays_in_the_body() -> None:
    dek = "Planners must look again at the scheme."
    out = clean_text(article("Harbour plan sent back", dek, PROSE))
    assert out.text.split("\n") == [dek, PROSE]


@pytest.mark.parametrize(
    "chrome", ["TAGS", "CATEGORIES", "Share This", "Wordpress (0)", "Disqus ( )"]
)
def test_lone_chrome_lines_are_removed(chrome: str) -> None:
    out = clean_text(article("Harbour plan sent back", chrome, PROSE, chrome, PROSE))
    assert chrome not in out.text
    assert out.text.count(PROSE) == 2


def test_see_also_teasers_are_removed() -> None:
    out = clean_text(
        article("Harbour plan", PROSE, "See also  Black Sea showdown: drones shot down", PROSE)
    )
    assert "See also" not in out.text
    assert "Black Sea" not in out.text
    assert out.text.count(PROSE) == 2


@pytest.mark.parametrize(
    "footer",
    [
        "Discover more from Business-News-Today.com",
        "No comments:",
        "Latest Contents",
        "Related Articles",
        "Leave a Reply",
    ],
)
def test_footer_and_everything_after_it_is_cut(footer: str) -> None:
    tail = "Unrelated: Forest clinch first home win against Crystal Palace in a thriller."
    out = clean_text(article("Harbour plan", PROSE, PROSE, PROSE, footer, tail, PROSE))
    assert footer not in out.text
    assert "Forest" not in out.text


def test_footer_marker_early_in_a_text_is_kept_as_text() -> None:
    # Fewer than 80 words before it: more likely the article's own words than a footer.
    out = clean_text(article("Harbour plan", "Latest Contents", PROSE))
    assert PROSE in out.text


def test_trailing_list_of_unrelated_headlines_is_trimmed() -> None:
    out = clean_text(
        article(
            "Harbour plan",
            PROSE,
            PROSE,
            "Forest Clinches First Home Win Against Crystal Palace",
            "Forest Clinches First Home Win Against Crystal Palace",
            "Nottingham Forest celebrated their long-awaited first home win of the season…",
            "22 October 2024",
        )
    )
    assert out.text == f"{PROSE}\n{PROSE}"


def test_body_ending_in_a_subheading_like_line_keeps_its_prose() -> None:
    out = clean_text(article("Harbour plan", PROSE, "What happens next", PROSE))
    assert out.text == f"{PROSE}\nWhat happens next\n{PROSE}"


def test_text_without_a_headline_gets_one_from_its_lede() -> None:
    out = clean_text(PROSE + "\n" + PROSE)
    assert out.title == "The council met on Tuesday to discuss the harbour plans…"
    assert out.text.startswith(PROSE)  # the lede stays in the body


def test_derived_title_keeps_a_short_first_sentence_whole() -> None:
    assert derive_title("Ships collide off Dover. Nobody was hurt.") == "Ships collide off Dover"


def test_blank_and_nbsp_lines_and_crlf_are_normalised() -> None:
    out = clean_text("Harbour plan\r\n\r\n\u00a0\r\n" + PROSE + "\r\n\r\n\r\n" + PROSE)
    assert out.text == f"{PROSE}\n{PROSE}"


SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_bodies_are_free_of_boilerplate(path) -> None:
    out = clean_text(path.read_text(encoding="utf-8"))
    assert out.title
    for junk in ("See also", "TAGS", "Latest Contents", "Discover more", "Post a Comment",
                 "Epstein", "Livingstone", "Wordpress", "Share This"):  # fmt: skip
        assert junk not in out.text, junk
    assert len(out.text.split()) > 300


def test_seed_titles_and_dates() -> None:
    got = {p.name[:3]: clean_text(p.read_text(encoding="utf-8")) for p in SEED_FILES}
    assert got["000"].title.startswith("Tensions soar as South Korea sends firepower")
    assert (
        got["001"].title
        == "South Korea Alarmed by North Korea's Potential Role in Ukraine Conflict"
    )
    assert got["001"].published_at == datetime(2024, 10, 25)
    assert got["002"].title.startswith("South Korea Eyes Military Support For Ukraine")
    assert got["002"].published_at == datetime(2024, 10, 22)
    assert got["002"].text.startswith("Seoul may send personnel to Kyiv")
    # No date line in these: the date stays unknown rather than guessed from the prose.
    assert got["003"].published_at is None and got["004"].published_at is None
    # The last real paragraph of each seed survives the footer rules.
    assert got["000"].text.endswith("stationed close to the front lines.")
    assert got["001"].text.endswith("maintaining its military ambitions.")
    assert got["002"].text.endswith("regional and international security.")
