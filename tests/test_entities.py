"""Named entities: the seed acceptance list, alias folding, cues, bad input, user data."""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path

import pytest

from tasks.enrich import entities
from tasks.enrich.entities import DEFAULT_FILES, Entity, Gazetteer, find_entities
from tasks.extract.clean_text import clean_text
from tests.conftest import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def by_name(found: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in found}


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[Entity]]:
    """Entities of every seed, from the text the pipeline's cleaner hands over."""
    out = {}
    for path in SEED_FILES:
        cleaned = clean_text(path.read_text(encoding="utf-8"))
        out[path.name] = find_entities(cleaned.title, cleaned.text)
    return out


# --------------------------------------------------------------------------- seeds


def test_seed_acceptance_list_is_found_with_types_and_codes(seeds) -> None:
    merged: dict[str, Entity] = {}
    for found in seeds.values():
        for e in found:
            seen = merged.get(e.name)
            merged[e.name] = (
                e
                if seen is None
                else dataclasses.replace(seen, mentions=seen.mentions + e.mentions)
            )
    expected = {
        "Yoon Suk Yeol": ("person", None),
        "Kim Jong Un": ("person", None),
        "Vladimir Putin": ("person", None),
        "Volodymyr Zelenskyy": ("person", None),
        "NATO": ("organisation", None),
        "North Korea": ("place", "KP"),
        "South Korea": ("place", "KR"),
        "Russia": ("place", "RU"),
        "Ukraine": ("place", "UA"),
    }
    for name, (kind, code) in expected.items():
        assert name in merged, name
        assert merged[name].entity_type == kind, name
        assert merged[name].country_code == code, name
    # Sensible counts: the four countries carry every article; the people are named a few times.
    for name in ("North Korea", "South Korea", "Russia", "Ukraine"):
        assert merged[name].mentions >= 40, (name, merged[name].mentions)
    assert 6 <= merged["Yoon Suk Yeol"].mentions <= 12
    assert 3 <= merged["Kim Jong Un"].mentions <= 6
    assert merged["NATO"].mentions >= 8


def test_each_seed_is_about_the_two_koreas_russia_and_ukraine(seeds) -> None:
    for name, found in seeds.items():
        top4 = {e.name for e in found[:4]}
        assert top4 == {"North Korea", "South Korea", "Russia", "Ukraine"}, (name, top4)


def test_seed_people_and_organisations_named_in_passing(seeds) -> None:
    s = {name[:3]: by_name(found) for name, found in seeds.items()}
    assert s["000"]["Andrii Sybiha"].mentions == 2  # "Foreign Minister Andrii Sybiha", "Sybiha"
    assert s["000"]["Jean-Noël Barrot"].mentions == 2  # "... Jean-Noël Barrot", "Barrot added"
    assert s["000"]["National Intelligence Service"].country_code == "KR"
    assert s["001"]["Korea Herald"].entity_type == "organisation"
    assert s["002"]["Mark Rutte"].entity_type == "person"
    assert s["002"]["Kremlin"].entity_type == "organisation"
    assert s["004"]["Jens Stoltenberg"].entity_type == "person"
    assert s["004"]["Emily Hart"].entity_type == "person"  # "Dr. Emily Hart"
    assert s["004"]["Linda Harris"].entity_type == "person"  # "Secretary of Defense Linda Harris"
    assert s["004"]["Brookings Institution"].entity_type == "organisation"
    assert s["004"]["Yonhap News Agency"].entity_type == "organisation"


def test_no_entity_comes_from_boilerplate_the_cleaner_removes(seeds) -> None:
    # Teasers, "Latest Contents" headlines and footers name these; the articles do not.
    boilerplate = {
        "Black Sea", "Belgorod", "Yulia Navalnaya", "Alexei Navalny", "Liam Livingstone",
        "Crystal Palace", "Nottingham Forest", "ByteDance", "TikTok", "England",
    }  # fmt: skip
    found = {e.name for es in seeds.values() for e in es}
    assert not found & boilerplate
    # The raw files do name them, so the check above has teeth.
    raw = {e.name for p in SEED_FILES for e in find_entities(None, p.read_text(encoding="utf-8"))}
    assert {"Black Sea", "Belgorod", "Alexei Navalny", "Crystal Palace", "ByteDance"} <= raw


# --------------------------------------------------------------------------- folding


def test_aliases_from_the_issue_fold_to_one_name() -> None:
    text = (
        "President Yoon Suk Yeol met his advisers. Yoon said Pyongyang had sent troops. "
        "North Korea's army is large."
    )
    found = by_name(find_entities(None, text))
    assert found["Yoon Suk Yeol"].mentions == 2
    assert found["North Korea"].mentions == 2
    assert found["North Korea"].country_code == "KP"
    assert "Yoon" not in found and "Pyongyang" not in found


@pytest.mark.parametrize("spelling", ["Zelensky", "Zelenskiy", "Zelenskyy", "Volodymyr Zelensky"])
def test_zelenskyy_spellings_fold(spelling: str) -> None:
    found = by_name(find_entities(None, f"Ukraine's leader {spelling} spoke to reporters."))
    assert found["Volodymyr Zelenskyy"].mentions == 1


def test_titles_are_stripped_and_surnames_fold_to_the_full_name() -> None:
    text = (
        "Health Secretary Jane Okafor defended the plan. Mr Putin was not consulted. "
        "Ms Okafor said the Kremlin had been told. Okafor added that Vladimir Putin agreed."
    )
    found = by_name(find_entities(None, text))
    assert found["Jane Okafor"].entity_type == "person"
    assert found["Jane Okafor"].mentions == 3
    assert found["Vladimir Putin"].mentions == 2
    assert not {"Okafor", "Putin", "Mr Putin", "Health Secretary Jane Okafor"} & found.keys()


def test_short_alias_folds_only_when_the_full_name_is_in_the_article() -> None:
    with_full = by_name(find_entities(None, "Kim Jong-un rules. The Kim regime is isolated."))
    assert with_full["Kim Jong Un"].mentions == 2
    without = by_name(find_entities(None, "The Kim regime is isolated."))
    assert "Kim Jong Un" not in without


def test_acronym_defined_in_brackets_folds_to_the_name() -> None:
    text = "The Asian Development Bank (ADB) has said so. ADB economists agree."
    found = by_name(find_entities(None, text))
    assert found["Asian Development Bank"].mentions == 3


def test_an_initial_or_first_name_before_a_known_surname_is_another_person() -> None:
    found = by_name(find_entities(None, "Laura Bush and Sharon Stone met M Blair."))
    assert {"Laura Bush", "Sharon Stone", "M Blair"} <= found.keys()
    assert not {"George W Bush", "Ariel Sharon", "Tony Blair"} & found.keys()


def test_a_name_does_not_end_in_an_initial_unless_it_is_a_surname_cut_short() -> None:
    # Real pages: a reference list ("Gross PA, Lee H, Wolfe S"), initials only ("Pouyan,
    # M. B.;"), a Spanish "y" before the next name. German news names the accused "Dennis S.".
    text = (
        "References: Gross PA, Lee H, Wolfe S. See also Pouyan, M. B. and Rose, J. D. later.\n"
        "Los candidatos John Milton Rodríguez y Federico Gutiérrez hablaron.\n"
        "Prosecutors said Dennis S. was convicted. George V was crowned in 1911."
    )
    found = by_name(find_entities(None, text))
    assert not {"Lee H", "M. B", "J. D", "John Milton Rodríguez y"} & found.keys()
    assert {"John Milton Rodríguez", "Dennis S", "George V"} <= found.keys()


# --------------------------------------------------------------------------- cues


def test_possessives_are_stripped() -> None:
    found = by_name(find_entities(None, "Russia’s army, NATO's plan and the Kremlin's answer."))
    assert {"Russia", "NATO", "Kremlin"} <= found.keys()
    assert not any("'" in n or "’" in n for n in found)


def test_sentence_initial_common_words_are_not_entities() -> None:
    text = (
        "However, the talks failed. Officials in Seoul were worried. Despite this, analysts "
        "stayed calm. Analysts Warn Of Crisis\nExperts say the Korean Peninsula is tense."
    )
    found = by_name(find_entities(None, text))
    assert found.keys() == {"South Korea", "Korean Peninsula"}


def test_months_days_and_title_case_headlines_give_no_entities() -> None:
    text = "Experts Warn of a New Stage in the Conflict\nOn Monday 3 October nothing happened."
    assert find_entities(None, text) == []


def test_persons_organisations_and_places_typed_by_cues() -> None:
    text = (
        "Chief economist Ifzal Ali spoke at the Korea Development Institute. "
        "The firm XQZT said profits rose. Fighting continued in Zaporozhets. "
        "Fuel prices rose over GPRS."
    )
    found = by_name(find_entities(None, text))
    assert found["Ifzal Ali"].entity_type == "person"
    assert found["Korea Development Institute"].entity_type == "organisation"
    assert found["XQZT"].entity_type == "organisation"  # an acronym that acts
    assert found["Zaporozhets"].entity_type == "place"  # "in X"
    assert found["Zaporozhets"].country_code is None
    assert "GPRS" not in found  # an acronym that is a thing


def test_software_and_formats_are_no_places() -> None:
    # Real pages' lines (lemire.me, blog.python.org, stackoverflow.blog, mercurial-scm.org):
    # "in X" made places of them, and every later mention counted.
    text = (
        "The parser is written in Rust and runs in Chrome and Safari. Support for Python 2 "
        "ends in Python 3.9, and the Mercurial Project moves its code to Git. Strings are "
        "stored in Unicode; the Docker Engine reads its settings in JSON. Fighting continued "
        "in Zaporozhets."
    )
    found = by_name(find_entities(None, text))
    assert set(found) == {"Zaporozhets"}, found


def test_hyphenated_names_split_or_lose_their_suffix() -> None:
    found = by_name(find_entities(None, "U.S.-led talks on the Russia-Ukraine war began."))
    assert {"United States", "Russia", "Ukraine"} == found.keys()


def test_town_is_a_club_in_sport_talk_and_a_place_elsewhere() -> None:
    sport = (
        "Leicester beat Bath 21-10. The striker scored a late goal and the coach praised "
        "his squad after the match, their best of the season. Fans celebrated in Leicester."
    )
    found = by_name(find_entities(None, sport))
    # The club, then the town: one name, typed by the first on a tie.
    assert found["Leicester"].entity_type == "organisation"
    assert found["Leicester"].mentions == 2
    assert found["Bath"].entity_type == "organisation"
    town = by_name(find_entities(None, "House prices rose in Leicester and Bath last year."))
    assert town["Leicester"].entity_type == "place"
    assert town["Leicester"].country_code == "GB"


# --------------------------------------------------------------------------- output


def test_sorted_by_mentions_then_name_with_offsets_into_the_text() -> None:
    title = "Blair meets Chirac"
    text = "Tony Blair met Jacques Chirac in Paris. Mr Blair said France and Britain agree."
    found = find_entities(title, text)
    assert [(e.name, e.mentions) for e in found[:3]] == [
        ("Tony Blair", 3),
        ("Jacques Chirac", 2),
        ("France", 1),
    ]
    assert found == sorted(found, key=lambda e: (-e.mentions, e.name))
    blair = by_name(found)["Tony Blair"]
    assert text[blair.first_offset :].startswith("Tony Blair")
    assert (
        by_name(find_entities("Merkel visits Paris", "She arrived."))["Angela Merkel"].first_offset
        == -1
    )


def test_a_title_that_opens_the_text_is_not_counted_twice() -> None:
    text = "Putin warns the West over Ukraine in a speech on Tuesday."
    found = by_name(find_entities("Putin warns the West over Ukraine…", text))
    assert found["Vladimir Putin"].mentions == 1


def test_entity_is_a_frozen_dataclass() -> None:
    e = find_entities(None, "Nato met.")[0]
    assert e == Entity("NATO", "organisation", 1, None, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.mentions = 2  # type: ignore[misc]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("text", ["", "   \n\n ", "...", "1234 5678"])
def test_empty_or_nameless_text_gives_nothing(text: str) -> None:
    assert find_entities(None, text) == []
    assert find_entities("", text) == []


def test_non_english_text_is_handled() -> None:
    french = (
        "Le président Emmanuel Macron a rencontré à Paris le chancelier Olaf Scholz. "
        "La France soutient l’Ukraine face à la Russie."
    )
    found = by_name(find_entities(None, french))
    assert {"Emmanuel Macron", "Olaf Scholz", "Paris", "France", "Ukraine"} <= found.keys()
    german = (
        "Die Bundesregierung hat am Montag die Hilfen für die Ukraine erhöht. Der Krieg dauert an."
    )
    assert [e.name for e in find_entities(None, german)] == ["Ukraine"]
    korean = "북한이 러시아에 군대를 파병했다고 국가정보원이 밝혔다. 윤석열 대통령은 검토한다."
    assert find_entities(None, korean) == []


def test_one_megabyte_of_text_is_quick() -> None:
    cleaned = [clean_text(p.read_text(encoding="utf-8")).text for p in SEED_FILES]
    big = ("\n".join(cleaned) + "\n") * (1_000_000 // sum(len(t) + 1 for t in cleaned) + 1)
    big = big[:1_000_000]
    t0 = time.process_time()  # CPU: a busy machine slows the wall clock, not this
    found = by_name(find_entities(None, big))
    assert time.process_time() - t0 < 2.0
    assert found["North Korea"].mentions > 1000


def test_random_garbage_never_raises() -> None:
    rng = random.Random(5)
    alphabet = "Aa Zz'’-.&()\n,:;É ñ Ж 北 al- Mr. U.S. of the DE "
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        for e in find_entities(text[:20] or None, text):
            assert e.entity_type in ("person", "organisation", "place")
            assert e.mentions >= 1


# --------------------------------------------------------------------------- user data


EXTRA = """
[[person]]
name = "Andriy Yermak"
aliases = ["Yermak", "Andrii Yermak"]

[[place]]
name = "Seoul"
code = "KR"

[[organisation]]
name = "Newsflow Labs"
aliases = ["NFL Labs"]
"""


def test_a_user_data_file_extends_and_overrides_the_shipped_one(tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text(EXTRA, encoding="utf-8")
    gaz = Gazetteer.load((*DEFAULT_FILES, extra))
    text = "Yermak flew to Seoul. Andrii Yermak met Newsflow Labs staff."
    found = by_name(find_entities(None, text, gazetteer=gaz))
    assert found["Andriy Yermak"].mentions == 2
    assert found["Seoul"].entity_type == "place"  # its own place now, not South Korea
    assert found["Seoul"].country_code == "KR"
    assert "South Korea" not in found
    assert found["Newsflow Labs"].entity_type == "organisation"
    # The shipped data alone folds Seoul into the country.
    assert "South Korea" in by_name(find_entities(None, text))


def test_user_data_file_named_in_the_environment(tmp_path: Path, monkeypatch) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text(EXTRA, encoding="utf-8")
    assert "Andriy Yermak" not in by_name(find_entities(None, "Mr Yermak spoke."))
    # Read as the environment is now, not as it was when the gazetteer was first loaded.
    monkeypatch.setenv(entities.EXTRA_ENV, str(extra))
    assert "Andriy Yermak" in by_name(find_entities(None, "Mr Yermak spoke."))
    monkeypatch.delenv(entities.EXTRA_ENV)
    assert "Andriy Yermak" not in by_name(find_entities(None, "Mr Yermak spoke."))
