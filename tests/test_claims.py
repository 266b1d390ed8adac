"""Numeric claims (tasks/enrich/claims.py): the issue's examples, the seeds' troop figures, and what
must not be taken for a claim."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from tasks.enrich.claims import QUALIFIERS, Claim, find_claims, sentence_spans
from tasks.extract.clean_text import clean_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def one(text: str) -> Claim:
    claims = find_claims(text)
    assert len(claims) == 1, claims
    return claims[0]


def values(text: str) -> list[tuple[float, str, str | None]]:
    return [(c.value, c.qualifier, c.unit) for c in find_claims(text)]


# --------------------------------------------------------------------------- the examples


def test_approximately_special_forces_troops() -> None:
    c = one("Intelligence sources indicate that North Korea has sent approximately 1,500 "
            "special forces troops to Russia's Far East.")  # fmt: skip
    assert (c.value, c.value_high, c.qualifier) == (1500, None, "approx")
    assert c.unit == "troops"
    assert c.subject == "special forces troops"
    assert c.text == "approximately 1,500 special forces troops"
    assert c.horizon is None


def test_as_many_as_takes_the_noun_from_the_number_of() -> None:
    c = one("Officials believe that the eventual number of North Korean troops could rise to "
            "as many as 12,000, including elite forces.")  # fmt: skip
    assert (c.value, c.qualifier, c.unit) == (12000, "at_most", "troops")
    assert c.subject == "North Korean troops"
    assert c.text == "as many as 12,000"


def test_projection_with_horizon_and_this_number() -> None:
    claims = find_claims(
        "North Korea has sent approximately 3,000 troops to Russia, with projections "
        "suggesting this number could rise to 10,000 by December."
    )
    assert [(c.value, c.qualifier, c.unit, c.horizon) for c in claims] == [
        (3000, "approx", "troops", None),
        (10000, "projection", "troops", "by December"),
    ]


def test_claim_fields_offsets_and_sentence() -> None:
    text = "First sentence here. Mr. Kim said 3,000 soldiers left. Last one."
    c = one(text)
    assert text[c.offset : c.offset + len(c.text)] == c.text == "3,000 soldiers"
    assert c.sentence == "Mr. Kim said 3,000 soldiers left."
    assert c.qualifier in QUALIFIERS
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.value = 1  # type: ignore[misc]


# --------------------------------------------------------------------------- seeds (acceptance)

# What each seed says about the troops, after the pipeline's cleaner.
SEED_TROOPS = {
    "000_4e815ee1833a451d.txt": [(1500, "approx", None)],
    "001_801dbc815b007bc0.txt": [(3000, "exact", None), (12000, "at_most", None)],
    "002_44a44f5a35d60aa0.txt": [(1500, "exact", None), (10000, "at_most", None)],
    "003_90df82462330a561.txt": [(3000, "approx", None), (10000, "projection", "by December")],
    "004_c4832a4c311ca801.txt": [(12000, "approx", None)],
}


@pytest.mark.parametrize("name", sorted(SEED_TROOPS))
def test_seed_troop_claims(name: str) -> None:
    cleaned = clean_text((SEEDS / name).read_text(encoding="utf-8"))
    troops = [(c.value, c.qualifier, c.horizon) for c in find_claims(cleaned.text)
              if c.unit == "troops"]  # fmt: skip
    assert troops == SEED_TROOPS[name]


def test_seeds_soldiers_and_troops_share_a_unit() -> None:
    cleaned = clean_text((SEEDS / "002_44a44f5a35d60aa0.txt").read_text(encoding="utf-8"))
    by_value = {c.value: c for c in find_claims(cleaned.text)}
    assert by_value[10000].subject == "soldiers"
    assert by_value[1500].subject == "special forces troops"
    assert by_value[10000].unit == by_value[1500].unit == "troops"


@pytest.mark.parametrize("name", sorted(SEED_TROOPS))
def test_no_claim_from_boilerplate(name: str) -> None:
    # Even on the raw file (date stamps, "Cold War 2.0?" teasers, "Wordpress (0)"), every
    # claim comes from a sentence the cleaner keeps.
    raw = (SEEDS / name).read_text(encoding="utf-8")
    cleaned = clean_text(raw).text
    for c in find_claims(raw):
        assert c.sentence in cleaned, c
    assert len(find_claims(raw)) == len(find_claims(cleaned))


# --------------------------------------------------------------------------- not claims


@pytest.mark.parametrize(
    "text",
    [
        "The deal was signed in 2024 and renewed in 1998.",
        "Talks were held on 3 November 2024 and again on November 3.",
        "Reports surfaced on October 21, 2024, and on Oct 22.",
        "The meeting starts at 10:30 and ends at 3pm, or 10.30am GMT.",
        "The man, aged 45, was a 45-year-old teacher on a 10-year contract.",
        "She is one of the best. No. 10 said Article 5 applies, as Radio 4 reported.",
        "Call 0800 123 4567 or +44 20 7946 0000 for details.",
        "See https://www.bbc.co.uk/news/world-12345678 and ID ab123 or MH17.",
        "COVID-19 was a 24/7 story in the 1990s style, the 3rd time on 4G.",
        "Cold War 2.0? Wordpress (0)",
        "Chelsea won 3-1 and then 2-0 at home.",
        "He won the 100m final and the 2004 election.",
        "It was 2.5 times bigger, and nine out of 10 agreed.",
        "They have fought for three years and waited 10 days.",
        "One in 16 messages carried a virus.",
        "The Six Nations starts soon.",
        "He signed a 3 year deal worth a 10 point lead.",  # singular heads: modifiers
    ],
)
def test_not_claims(text: str) -> None:
    assert find_claims(text) == [], find_claims(text)


# --------------------------------------------------------------------------- numbers and units


def test_percentages() -> None:
    assert values("Prices rose 5%, then 5 per cent, then 5 percent, then fell -0.5%.") == [
        (5, "exact", "percent"),
        (5, "exact", "percent"),
        (5, "exact", "percent"),
        (-0.5, "exact", "percent"),
    ]
    c = one("Rates went up 0.25 percentage points.")
    assert (c.value, c.unit) == (0.25, "percentage_points")
    c = one("More than 90% of large companies are optimistic.")
    assert (c.value, c.qualifier, c.unit, c.subject) == (90, "more_than", "percent",
                                                         "large companies")  # fmt: skip


def test_currencies() -> None:
    text = ("It cost £129, $48.64, €10, US$5, A$4.76, 10 dollars, 500,000 won, "
            "1.5 billion roubles, 17.58 euros, 20bn yen and 50p.")  # fmt: skip
    assert [(c.value, c.unit) for c in find_claims(text)] == [
        (129, "gbp"),
        (48.64, "usd"),
        (10, "eur"),
        (5, "usd"),
        (4.76, "aud"),
        (10, "usd"),
        (500_000, "krw"),
        (1.5e9, "rub"),
        (17.58, "eur"),
        (20e9, "jpy"),
        (0.5, "gbp"),
    ]


def test_pence_and_cents_become_pounds_and_dollars() -> None:
    assert [(c.value, c.value_high, c.unit) for c in find_claims(
        "Southwest fell 65 cents. Corus fell to 55.57 pence, from 50-60 pence; 20 euro cents."
    )] == [
        (0.65, None, "usd"),
        (pytest.approx(0.5557), None, "gbp"),
        (0.5, 0.6, "gbp"),
        (0.2, None, "eur"),
    ]  # fmt: skip


def test_pounds_gained_lost_or_of_something_are_a_weight_and_1440p_is_no_money() -> None:
    # Sentences from real pages (bench/extraction_real.py) and the BBC corpus: every bare
    # "N pounds" on the English real pages was a weight, and "1440p" was £14.40.
    weights = (
        "In 2009 she told People that she had gained 83 pounds after leaving. "
        "Okay, so you gained 40 or 100 pounds... So what? "
        "The Cessna was overloaded by 700 pounds (320kg). "
        "Police seized 50 pounds of cocaine at the port."
    )
    assert [(c.value, c.unit) for c in find_claims(weights)] == [
        (83, "lb"), (40, "lb"), (700, "lb"), (320, "kg"), (50, "lb"),
    ]  # fmt: skip
    money = (
        "Fans will have to pay five pounds for a ticket. The firm lost five million pounds. "
        "He lost his job and five pounds a week in benefits. He paid 50 pounds of his own money."
    )
    assert [(c.value, c.unit) for c in find_claims(money)] == [
        (5, "gbp"), (5e6, "gbp"), (5, "gbp"), (50, "gbp"),
    ]  # fmt: skip
    assert [(c.value, c.unit) for c in find_claims(
        "The RTX 3070 is made for 1440p gaming. Shares fell 12p to 300p."
    )] == [(0.12, "gbp"), (3.0, "gbp")]  # fmt: skip


def test_millions_and_billions() -> None:
    assert [(c.value, c.unit) for c in find_claims(
        "Profits hit $1.13bn (£600m). It has 1.5 million users, 10k fans, £3.5 million in "
        "cash, half a million people and two million viewers; a $2tn economy, £35 bn cuts."
    )] == [
        (1.13e9, "usd"),
        (600e6, "gbp"),
        (1.5e6, "users"),
        (10e3, "fans"),
        (3.5e6, "gbp"),
        (500e3, "people"),
        (2e6, "viewers"),
        (2e12, "usd"),
        (35e9, "gbp"),
    ]  # fmt: skip


def test_ranges() -> None:
    claims = find_claims(
        "Between 10,000 and 12,000 troops were sent. Another 10,000-12,000 soldiers may follow. "
        "It will cost $10-25m, or between 10 and 12 million euros, for two or three people. "
        "One or two players missed out."
    )
    assert [(c.value, c.value_high, c.qualifier, c.unit) for c in claims] == [
        (10_000, 12_000, "range", "troops"),
        (10_000, 12_000, "range", "troops"),
        (10e6, 25e6, "range", "usd"),
        (10e6, 12e6, "range", "eur"),
        (2, 3, "range", "people"),
        (1, 2, "range", "players"),
    ]
    assert claims[0].text == "Between 10,000 and 12,000 troops"


def test_a_change_is_not_a_range() -> None:
    assert values("Brent rose $1.89 to $48.62, and sales rose from 3,000 to 10,000 units.") == [
        (1.89, "exact", "usd"),
        (48.62, "exact", "usd"),
        (10_000, "exact", "units"),
    ]


def test_qualifiers() -> None:
    text = ("At least 60 people died, no fewer than 5 soldiers. More than 100 cars, over 50 "
            "firms, fewer than 20 buses, under 10 shops, up to 2,500 jobs, some 35 million "
            "molecules, nearly 250,000 cases, 10,000+ fans and 300 or more workers.")  # fmt: skip
    assert values(text) == [
        (60, "at_least", "people"),
        (5, "at_least", "troops"),
        (100, "more_than", "cars"),
        (50, "more_than", "firms"),
        (20, "less_than", "buses"),
        (10, "less_than", "shops"),
        (2500, "at_most", "jobs"),
        (35e6, "approx", "molecules"),
        (250_000, "approx", "cases"),
        (10_000, "at_least", "fans"),
        (300, "at_least", "workers"),
    ]


def test_word_numbers_and_vague_amounts() -> None:
    assert values(
        "Twenty people and two soldiers were hurt. Tens of thousands of people marched, "
        "hundreds of troops left, a dozen men fled and several thousand personnel stayed."
    ) == [
        (20, "exact", "people"),
        (2, "exact", "troops"),
        (20_000, "at_least", "people"),
        (200, "at_least", "troops"),
        (12, "approx", "men"),
        (2000, "at_least", "personnel"),
    ]


def test_unit_normalisation() -> None:
    assert [(c.unit, c.subject) for c in find_claims(
        "About 500 military personnel, 200 embassy personnel, 1,500 North Koreans, 40 "
        "paratroopers, 1 job, 7,300 kilometres and 50,000 square metres."
    )] == [
        ("troops", "military personnel"),
        ("personnel", "embassy personnel"),
        ("people", "North Koreans"),
        ("troops", "paratroopers"),
        ("jobs", "job"),
        ("km", "kilometres"),
        ("square_metres", "square metres"),
    ]  # fmt: skip


def test_projections() -> None:
    c = one("The company expects to hire 2,000 workers by the end of the year.")
    assert (c.qualifier, c.horizon) == ("projection", "by the end of the year")
    c = one("By 2010, it expects to nearly double sales to 400,000 cars.")
    assert (c.qualifier, c.horizon) == ("projection", "By 2010")
    # The figure a forecast starts from is a report, not a projection.
    assert values("Inflation is forecast to fall from 2.1%.") == [(2.1, "exact", "percent")]


def test_death_toll() -> None:
    c = one("The death toll rose to 50 on Monday.")
    assert (c.value, c.unit) == (50, "deaths")


# --------------------------------------------------------------------------- sentences


def test_sentence_spans() -> None:
    text = ('Mr. Smith met U.S. officials at No. 10 on Jan. 5. He paid $1.5 million. '
            'It rose 2.5%! Why? "Yes." Then J. R. Hartley left.\nNew para')  # fmt: skip
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Mr. Smith met U.S. officials at No. 10 on Jan. 5.",
        "He paid $1.5 million.",
        "It rose 2.5%!",
        "Why?",
        '"Yes."',
        "Then J. R. Hartley left.",
        "New para",
    ]


# --------------------------------------------------------------------------- bad input


def test_empty_and_blank() -> None:
    assert find_claims("") == []
    assert find_claims("   \n\n\t ") == []
    assert sentence_spans("") == []


def test_non_english_does_not_crash() -> None:
    assert find_claims("1.500 Soldaten wurden nach Russland geschickt.") == []
    assert find_claims("北朝鮮は1,500人の兵士をロシアに派遣した。") == []
    assert find_claims("Северная Корея отправила 1500 военных в Россию.") == []
    # Digits from other scripts are not read as numbers.
    assert find_claims("١٥٠٠ جندي") == []


def test_max_claims_gives_the_first_claims_of_the_full_list() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    text += (
        " The number of troops could rise to as many as 12,000. Between 10,000 and 12,000 "
        "soldiers went. This number may double."
    )
    full = find_claims(text)
    assert len(full) > 15
    for n in (0, 1, 7, len(full) - 2, len(full), len(full) + 5):
        assert find_claims(text, max_claims=n) == full[:n]


def test_megabyte_finishes_quickly() -> None:
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    big = (seeds * (1_000_000 // len(seeds) + 1))[:1_000_000]
    unpunctuated = " ".join(big.replace(".", " ").split())
    for text in (big, unpunctuated, "1,000 " * 170_000):
        t0 = time.process_time()  # CPU: a busy machine slows the wall clock, not this
        claims = find_claims(text)
        assert time.process_time() - t0 < 5
        # A "sentence" without full stops is cut around the claim, not kept whole.
        assert all(len(c.sentence) < 1000 for c in claims)
    assert sum(c.unit == "troops" for c in find_claims(big)) > 100
