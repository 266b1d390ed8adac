"""One document to one Article: metadata priority and the fast path for declared metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tasks.extract.document import _drop_next_articles, _signed, extract_item
from tasks.extract.parse import parse_html
from tasks.models import Article, ListedItem, SourceItem
from tests.conftest import FIXTURES

PAGE = (FIXTURES / "pages" / "harbour-wind-farm.html").read_text(encoding="utf-8")


def item(tmp_path: Path, html: str, hints: ListedItem | None = None) -> SourceItem:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    st = path.stat()
    return SourceItem("file", str(path), str(path), st.st_size, st.st_mtime_ns, hints=hints)


def test_declared_metadata_wins_and_is_attributed(tmp_path: Path) -> None:
    article = extract_item(item(tmp_path, PAGE))
    sources = json.loads(article.metadata_sources)
    assert sources["title"] == "json-ld" and sources["published_at"] == "json-ld"
    assert str(article.published_at) == "2024-03-14 08:30:00"  # with its time, from JSON-LD


def test_without_declared_metadata_the_date_printed_under_the_headline_is_read(
    tmp_path: Path,
) -> None:
    bare = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", PAGE, flags=re.S)
    bare = re.sub(r"<meta [^>]*>|<link [^>]*>|<time[^>]*>.*?</time>", "", bare)
    bare = bare.replace("Morag Lindsay</a> ·", "Morag Lindsay</a> · Published 14 March 2024")
    article = extract_item(item(tmp_path, bare))
    sources = json.loads(article.metadata_sources)
    assert str(article.published_at)[:10] == "2024-03-14"
    assert sources["published_at"] == "html"
    assert article.text.startswith("Councillors have approved plans")


def test_without_a_date_declared_or_printed_trafilatura_finds_one(tmp_path: Path) -> None:
    # htmldate reads a date from the page's scripts too.
    bare = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", PAGE, flags=re.S)
    bare = re.sub(r"<meta [^>]*>|<link [^>]*>|<time[^>]*>.*?</time>", "", bare)
    script = '<script>var page = {"datePublished": "2024-03-14T09:00:00Z"};</script></head>'
    article = extract_item(item(tmp_path, bare.replace("</head>", script)))
    sources = json.loads(article.metadata_sources)
    assert str(article.published_at)[:10] == "2024-03-14"
    assert sources["published_at"] == "trafilatura"


def test_feed_entry_fills_what_the_page_lacks(tmp_path: Path) -> None:
    bare = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", PAGE, flags=re.S)
    bare = re.sub(r"<meta [^>]*>|<link [^>]*>|<time[^>]*>.*?</time>|<title>.*?</title>", "", bare)
    bare = bare.replace("<h1>Harbour wind farm approved after three-year fight</h1>", "")
    entry = ListedItem("g1", None, None, "Wind farm approved", None, "Feed Author", None, None)
    article = extract_item(item(tmp_path, bare, entry))
    sources = json.loads(article.metadata_sources)
    assert article.title == "Wind farm approved" and sources["title"] == "feed"


def test_a_byline_guess_that_is_not_a_name_is_dropped(tmp_path: Path) -> None:
    # Nothing declares an author; trafilatura's byline search reads id="author" blocks.
    bare = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", PAGE, flags=re.S)
    bare = re.sub(r"<meta [^>]*>|<a [^>]*>Morag Lindsay</a>", "", bare)
    for guess, authors in (("Tricks für zu Hause", []), ("Maria Muster", ["Maria Muster"])):
        page = bare.replace("<article>", f'<article><div id="author">{guess}</div>', 1)
        assert extract_item(item(tmp_path, page)).authors == authors


# Real pages (tests/fixtures/real/, trimmed, from the dev split of bench/extraction_real.py).
REAL = FIXTURES / "real"


def real_item(tmp_path: Path, name: str) -> SourceItem:
    return item(tmp_path, (REAL / name).read_text(encoding="utf-8"))


def test_json_ld_article_body_rescues_a_page_whose_extraction_is_a_caption(tmp_path: Path) -> None:
    # SCMP: the article is rendered by script; the HTML holds a photo caption (151 characters)
    # and the JSON-LD articleBody holds the whole column (4,312).
    article = extract_item(real_item(tmp_path, "scmp.com.playbook.html"))
    assert "almost insulting to Hongkongers" in article.text
    assert "using political shrewdness" in article.text
    assert article.word_count > 600
    assert json.loads(article.metadata_sources)["text"] == "json-ld"


def test_chrome_from_the_fast_path_gets_the_full_cascade(tmp_path: Path) -> None:
    # rnz.de: trafilatura's main extractor alone returns the site's menus (300 one-word lines);
    # its fallbacks find the dpa report.
    article = extract_item(real_item(tmp_path, "rnz.de.witzel.html"))
    assert article.text.startswith("Frankfurt/Main (dpa) - Für einen Roman")
    assert "Auszeichnung der Branche." in article.text
    assert "Online-Service-Center" not in article.text and "Bammental" not in article.text


def test_an_article_nested_in_the_sidebar_is_read_alone(tmp_path: Path) -> None:
    # onlinemarketing.de: unclosed <div>s put the <article> inside the sidebar's <aside>,
    # which trafilatura prunes whole; the page alone gives its tagline twice (10 words).
    article = extract_item(real_item(tmp_path, "onlinemarketing.de-instagram.html"))
    assert isinstance(article, Article), article
    assert "ein bis zu 15 Sekunden langes Video mit ihrem Smartphone aufzunehmen" in article.text
    assert "Dein wichtigster Touchpoint" not in article.text
    assert article.word_count > 200
    assert json.loads(article.metadata_sources)["text"] == "article-element"


def test_the_next_stories_of_an_infinite_scroll_page_are_not_its_text(tmp_path: Path) -> None:
    # hoy.com.py loads the next stories as the reader scrolls; the saved page holds three in
    # full after its own, and all four were one text of 10,222 characters.
    article = extract_item(real_item(tmp_path, "hoy.com.py-bendicion.html"))
    assert article.title == "Darán bendición a vehículos este sábado"
    assert article.text.startswith("Conductores de todo tipo de vehículos")
    assert "cuidado que se debe tener con respecto a la vida" in article.text
    assert "Bebé muere electrocutado" not in article.text and "fiscal" not in article.text
    assert len(article.text) < 1_500


def test_articles_under_a_headline_other_than_the_first_s_title_stay() -> None:
    story = "<p>" + "A sentence of the story that runs on for a while. " * 12 + "</p>"
    page = (
        "<html><body><article><h1>{0}</h1>{2}</article>"
        "<article><h1>{1}</h1>{2}</article></body></html>"
    )
    # The first <article> is not headed by the title: a front page's stories, all kept.
    tree = parse_html(page.format("Rain in Lima", "Sun in Quito", story))
    _drop_next_articles(tree, "News of the day | Daily")
    assert len(tree.findall(".//article")) == 2
    # Headed by the title (with the site's name): the next story goes, short ones stay.
    tree = parse_html(page.format("Rain in Lima", "Sun in Quito", story))
    _drop_next_articles(tree, "Rain in Lima | Daily")
    assert [h.text for h in tree.iter("h1")] == ["Rain in Lima"]
    tree = parse_html(page.format("Rain in Lima", "Sun in Quito", "<p>Short.</p>"))
    _drop_next_articles(tree, "Rain in Lima | Daily")
    assert len(tree.findall(".//article")) == 2


def test_a_booking_calendar_is_no_text(tmp_path: Path) -> None:
    # villacc.de: trafilatura's fast path returns the villa's booking calendar and nothing
    # else; the full cascade finds the prices and the guests' letters, then the calendar.
    article = extract_item(real_item(tmp_path, "villacc.de.galaxy.html"))
    assert article.text.startswith("Mietpreis bis 4 Personen")
    assert "Jede weitere Person: US $ 100,00" in article.text
    assert "| Su | Mo |" not in article.text and "| 9 | 10 | 11 |" not in article.text
    assert "February 2020" not in article.text
    assert article.language == "de"


def test_calendar_rows_and_only_they_are_dropped() -> None:
    from tasks.extract.document import _without_calendars

    calendar = [
        "| Juni 2021 |  |  |  |  |  |  |",
        "| Mo | Di | Mi | Do | Fr | Sa | So |",
        "|  | 1 | 2 | 3 | 4 | 5 | 6 |",
        "| 28 | 29 | 30 |  |  |  |  |",
        "| | July 2021 | | Su | Mo | Tu | We | Th | Fr | Sa | |  |  |  |  | 1 | 2 | 3 | "
        + " | ".join(map(str, range(4, 32)))
        + " |",
    ]
    kept = [
        "Die Ergebnisse der Saison:",
        "| Team | Sp | S | U | N |",  # a word longer than a day's short name
        "| 1 | 2 | 3 | 5 | 8 |",  # numbers, not a run of days
        "| S | M | L | XL | S |",  # short words, not five different ones
        "| 1 | FC Bayern | 34 | 77 |",
    ]
    assert _without_calendars("\n".join(kept[:1] + calendar + kept[1:])) == "\n".join(kept)


def test_date_lines_at_the_text_s_edges_go_and_dates_inside_it_stay() -> None:
    from tasks.extract.document import _without_edge_dates

    head = [  # the first two and last two lines of real pages' texts in the benchmark
        "Stand: 28.04.2020 18:00 Uhr",
        "Written: 2023-11-07 15:03:30 / Updated: 2023-11-07 15:30:46",
    ]
    tail = ["Créé: 12.12.2019, 07h36", "Letzte Änderung 14.02.2019"]
    body = [
        "Veröffentlicht am 16.08.2019",  # inside the text: a podcast's notes
        "Termin: 29.02.2020, 19 Uhr",
        "Am 12.03.2020 traf sich der Rat.",
        "Der Rat tagt wieder am 3. April.",
    ]
    assert _without_edge_dates("\n".join(head + body + tail)) == "\n".join(body)
    edge = ["Termin: 29.02.2020, 19 Uhr", *body[2:], "— Anja (@AnjaAmaranth) 10. September 2018"]
    assert _without_edge_dates("\n".join(edge)) == "\n".join(edge)  # no date lines
    assert _without_edge_dates("23.10.2018\nKurz.") == "23.10.2018\nKurz."  # too short to tell


def test_a_lead_the_page_marks_as_one_goes_first(tmp_path: Path) -> None:
    # haus.de: the lead is a <div class="intro-text"><p> between the <h1> and the body, which
    # trafilatura leaves out, and no meta description of the page is it.
    article = extract_item(real_item(tmp_path, "haus.de.vorsatzschalung.html"))
    lines = article.text.split("\n")
    assert lines[0].startswith("Vorsatzschalen kommen vor allem in der Trockenbauweise")
    assert lines[1] == "Das Wichtigste in Kürze"
    assert sum("Vorsatzschalen kommen" in line for line in lines) == 1


def test_a_label_line_over_related_links_is_dropped(tmp_path: Path) -> None:
    article = extract_item(real_item(tmp_path, "larepublica.net-hackers.html"))
    assert "NOTAS RELACIONADAS" not in article.text
    # Teaser cards: an <h2> headline inside a link to another of the site's articles.
    assert "Hackers ofrecen descuento del 35%" not in article.text
    assert "Grupo Conti asegura haber hackeado" not in article.text
    assert "Tras el hackeo sistemático de diversas instituciones públicas" in article.text


def assert_lines_go(gone: list[str], kept: list[str]) -> None:
    """The `gone` lines, set among the `kept` ones, leave the text; the `kept` ones stay."""
    from tasks.extract.document import _without_labels

    assert _without_labels("\n".join(kept[:1] + gone + kept[1:])) == "\n".join(kept)


def test_spanish_labels_over_other_articles_go_with_their_headline() -> None:
    teasers = [  # as Latin American papers print them (real pages of the benchmark)
        "Le puede interesar: JEP abrirá tres nuevos macrocasos: Farc y fuerza pública",
        "LE PUEDE INTERESAR: La ficha de Juan Orlando Hernández en el MDC de Nueva York",
        "MIRA: Madre se acerca a conocer los motivos de captura de su hijo y termina detenida",
        "Lea también: Impiden ingreso a Nicaragua a reportero y camarógrafo estadounidense",
        "VEA TAMBIÉN: Entre heces y guaricha: Estrella de la educación no brilla",
        "PUEDES VER: ¿Qué es la Sunedu, cómo está conformada y para qué sirve?",
        "Contenido Relacionado",
    ]
    kept = ["La Corte rechazó el recurso.", "MIRA-Award", "Lea: Ich finde, das stimmt."]
    assert_lines_go(teasers, kept)


def test_german_image_credits_and_teaser_headings_are_labels() -> None:
    labels = [  # as real pages of the benchmark print them
        "Titelbild: Geyres Christophe/ABACA/picture-alliance",
        "Beitragsbild: Titelseite der FAZ vom 2.4.2019, Ausriss.",
        "Weiterlesen: Vitamin D-Mangel: Mit diesen 4 hilfreichen Tipps tankst du Sonne",
        "Zum Weiterlesen:",
        "Vorschau auf den nächsten Artikel",
        "Weitere aktuelle Themen aus der Arbeitswelt",
        "Top-Themen bei FIT FOR FUN",
        "|   Weitere Artikel zum Thema |",  # a table's one cell
        "|   Kommentierte Artikel |",
        "Verwandte Artikel:",
        "Ähnliche Themen",
        "Abbildung 8: Vorgehensweise für grosse Ereignisse",  # a figure's caption
        "Figure 3: Changing Font Size of Axis Text.",
    ]
    kept = [
        "Das Titelbild der Ausgabe zeigt den Hafen.",
        "Weiterlesen lohnt sich.",
        "| Tag | Datum | Uhrzeit (MEZ) | Wettkampf |",  # a table's head: 'Tag' is a day
        "Abbildung 8 zeigt, wie grosse Ereignisse gemessen werden.",
    ]
    assert_lines_go(labels, kept)


def test_calls_to_support_the_site_or_pay_to_read_on_are_not_text() -> None:
    calls = [  # as real pages of the benchmark print them
        "If you enjoyed reading this post – would you consider supporting our work? Just "
        "click here. Thanks!",
        "Unterstütze RosaMag bereits mit 2,50!",
        "Darum: Hilf mit und unterstütze unser Magazin mit einem kleinen Beitrag.",
        "Pour lire la suite",
        "Pour accéder en illimité",
        "Tú también puedes hacer periodismo incómodo. Cancela cuando quieras.",
    ]
    kept = [
        "Werden Sie ein Teil der Community und unterstützen Sie uns dabei, unsere Marken "
        "und Produkte noch besser zu machen.",
        "Dr. Amanda Pinder was excited to be able to donate these much-needed supplies.",
        "The unions support our members, the minister said.",
    ]
    assert_lines_go(calls, kept)


def test_disclosures_of_paid_links_are_not_text() -> None:
    disclosures = [  # as real pages of the benchmark print them
        "Anzeige, enthält Affiliate Links",
        "Letzte Aktualisierung am 2.02.2022 / Bei den Verlinkungen handelt es sich um "
        "Affiliate Links / Bilder von der Amazon Product Advertising API",
        "*Werbung. Dieser Beitrag enthält Werbung für MYMARINI.",
        "Dieser Artikel kann Links zu Anbietern enthalten, von denen outdoor-magazin eine "
        "Provision erhält. Diese Links sind mit folgendem Icon gekennzeichnet:",
        "Dieser Beitrag entstand in freundlicher Zusammenarbeit mit der Shop-Apotheke und "
        "entspricht zu 100% meiner Meinung!",
        "This post contains affiliate links: we may earn a small commission.",
    ]
    kept = [
        "Die Kommission legte am Dienstag ihren Bericht vor.",
        "Die Zusammenarbeit mit Barbour begann 2016.",
        "Was ist denn jetzt Werbung?",
        "A team of researchers affiliated with several institutions found the tool.",
    ]
    assert_lines_go(disclosures, kept)


def test_calls_to_sign_up_write_in_or_log_in_and_comment_counts_are_not_text() -> None:
    notices = [  # as real pages of the benchmark print them
        "Get The Times of Israel's Daily Edition by email and never miss our top stories "
        "Free Sign Up",
        "PC Gamer Newsletter",
        "Sign up to get the best content of the week, and great gaming deals, as picked by "
        "the editors.",
        "If you’re seeing this message but you’re already a subscriber, you can log in for "
        "immediate access to this story.",
        "Submit your letter to the editor via this form. Read more Letters to the Editor.",
        "Sie sind aktuell nicht eingeloggt.",
        "| Kommentare insgesamt: 0 |  |",
        "Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)",
        "January 13, 2020 at 08:45 AM | categories: Python, Mercurial | View Comments",
        "We recommend the best products through an independent review process, and "
        "advertisers do not influence our picks. We may receive compensation.",
    ]
    kept = [
        "East Bay Times Letters to the Editor for Jan. 17, 2022",
        "Amazon isn't taking pre-orders, but you can sign up to be notified.",
        "Die Kommentare der Leser waren freundlich.",
        "Sie brauchen 5 Minuten, um das Formular auszufüllen.",
    ]
    assert_lines_go(notices, kept)


def test_what_a_newsletter_or_a_magazine_offers_its_readers_is_not_text() -> None:
    offers = [  # as real pages of the benchmark print them
        "Sie haben sich soeben zu unserem austria.info Newsletter angemeldet.",
        "Sie möchten wöchtliche Produktvorstellungen? Schauen Sie mal in unseren Musiknewsletter!",
        "Der Newsletter ist kostenlos und kann jederzeit abonniert und wieder abbestellt werden.",
        "Online-Pressemappe - alle Pressemitteilungen der Nordex SE | RSS-Feed abonnieren",
        "Die aktuelle Ausgabe der L-MAG jetzt an jedem Bahnhofskiosk, im Abo, als e-Paper und "
        "bei Readly erhältlich.",
        "for me und erhalten Sie exklusive Angebote!",
        # What a form or an embed's placeholder says.
        "Mit der Registrierung akzeptieren Sie unsere Datenschutz- und Nutzungsbedingungen.",
        "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.",
        "Mit diesem Button kannst Du diese Podcast-Episode zu einer Kurationsliste der "
        "Podcast-Suchmaschine FYYD hinzufügen.",
    ]
    kept = [
        "Christine Güttiger hat sich bereit erklärt, wieder einen Newsletter zu verfassen.",
        "Inhalte für den nächsten Newsletter:",
        "Die Zeitung erscheint auch als E-Paper.",
        "Die Anmeldung für den Lauf ist ab Montag möglich.",
        "Klicken Sie auf den Beitrag zu Ihrem Unterrichtsthema.",
    ]
    assert_lines_go(offers, kept)


def test_german_headings_over_other_articles_or_contacts_are_labels() -> None:
    labels = [  # as real pages of the benchmark print them
        "Das Thema könnte dich auch interessieren:",
        "Das könnte Dich auch interessieren: Olympischer Fackellauf in Peking gestartet",
        "Lesen Sie hier: Spielabbruch in der Kreisliga",
        "Lesen Sie auch die folgenden Beiträge:",
        "Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz an den Falschen",
        "Mehr zum Thema auf UEPO.de",
        "Inhaltsverzeichnis",
        "Originalpublikation",
        "Zusatzinformationen:",
        "Pressekontakt:",
        "Ansprechpartnerin zum Thema:",
    ]
    kept = [
        "Kontakt zur Polizei hatte der Mann nicht.",
        "Ansprechpartner in den Gemeinden sind die Bürgermeister.",
        "Mehr zum Thema Vanlife - die besten Tipps",
    ]
    assert_lines_go(labels, kept)


def test_a_call_to_follow_with_a_line_per_platform_is_not_text() -> None:
    from tasks.extract.document import _without_labels

    # eluniversal.com prints its call over five lines.
    call = ["Siguenos en", " Telegram,", "Instagram,", "Facebook y", "Twitter"]
    kept = ["El senador habló el martes.", "Lo dijo en:", "Twitter", "Facebook", "El fin."]
    text = "\n".join(kept[:1] + call + kept[1:])
    assert _without_labels(text) == "\n".join(kept)  # platforms after no call stay


def test_the_author_s_box_under_the_article_is_not_text() -> None:
    from tasks.extract.document import _without_author_bio

    article = [  # as real pages of the benchmark print them (chip.de, weinkenner.de)
        "Inga Buller ist begeistert: Das Steak gelingt.",  # the author in the article stays
        "Inga Buller testet den Beef Maker von Aldi.",
        "Der Grill braucht zehn Minuten.",
        "Fazit: ein gutes Gerät.",
    ]
    bios = [
        "Inga Buller ist Head of Social & Community bei CHIP. Wenn sie gerade nichts bei Ebay "
        "Kleinanzeigen verkauft, testet sie gerne neue Haushalts-Gadgets.",
        "Jossi Loibl (Jahrgang 1962) schreibt seit mehr als 25 Jahren über Wein.",
    ]
    authors = ["Inga Buller", "Jossi Loibl"]
    assert _without_author_bio(article + bios, authors) == article
    assert _without_author_bio(article + bios, ["Redaktion"]) == article + bios
    assert _without_author_bio(bios + article, authors) == bios + article  # not among the last


def test_the_markup_s_blank_lines_and_trailing_spaces_are_not_text(tmp_path: Path) -> None:
    # trafilatura gives this page a line of spaces and lines ending in them.
    article = extract_item(real_item(tmp_path, "larepublica.net-hackers.html"))
    lines = article.text.split("\n")
    assert all(line.strip() and line == line.rstrip() for line in lines)


def test_php_errors_printed_into_the_page_are_no_text(tmp_path: Path) -> None:
    # seelenradio.de: a WordPress plugin prints 'Warning: Use of undefined constant comments -
    # assumed ... on line 928' four times, all that the fast extraction found; without them
    # the full cascade finds the post, in German (it was English, from the warnings).
    article = extract_item(real_item(tmp_path, "seelenradio.de.leo.html"))
    assert isinstance(article, Article), article
    assert article.text.startswith("Es ist schon einige Zeit her, als Henry auf die Welt kam")
    assert "Warning" not in article.text and ".php" not in article.text
    assert article.language == "de"


def test_links_alone_to_the_site_s_other_articles_and_their_label_are_no_text(
    tmp_path: Path,
) -> None:
    # aerobuzz.de: under the report, 'Schon gelesen?' and two headlines, each a link alone in
    # its paragraph to another article of aerobuzz.de.
    article = extract_item(real_item(tmp_path, "aerobuzz.de-bremen.html"))
    assert isinstance(article, Article), article
    assert "\nDas Bundesamt für Ausrüstung, Informationstechnik" in article.text
    assert "Dan Gelston, der Vorsitzende des Geschäftsbereichs" in article.text
    assert "Schon gelesen?" not in article.text
    assert "Luftwaffe hat mit dem Training auf den H145" not in article.text
    assert "LH Technik hat die erste A321LR" not in article.text


def test_the_printed_lead_that_the_extraction_left_out_goes_first(tmp_path: Path) -> None:
    # aerobuzz.de prints its description as the lead under the headline
    # (<div class="td-post-sub-title">); trafilatura's text starts with the paragraph after.
    article = extract_item(real_item(tmp_path, "aerobuzz.de-bremen.html"))
    assert isinstance(article, Article), article
    lead, first = article.text.split("\n")[:2]
    assert lead.startswith("Die Lufthansa Aviation Training hat über Jahrzehnte in Bremen")
    assert first.startswith("Das Bundesamt für Ausrüstung, Informationstechnik")


def test_a_lead_printed_after_an_element_is_found_too() -> None:
    # kbs.co.kr prints its lead as the text after the photo's box in the body's <div>;
    # freitag.de after a kicker's <strong>. A breadcrumb's last item is no lead.
    from tasks.extract.document import _with_lead
    from tasks.extract.parse import parse_html

    lead = "Anchor: After heavy downpours on Monday, Tuesday morning was met with cold winds."
    page = f"""<html><body><h1>Colder on Wednesday</h1><div class="body_txt">
    <div class="img_box"><img src="a.jpg"><p class="cap">Photo : YONHAP News</p></div>
    {lead}<br>Max Lee has more.<br>Report: People were seen wearing layers.</div>
    <nav><a href="/">Home</a><span>›</span>The heavy downpours on Monday, as a crumb, were
    followed by cold winds all over the country.</nav></body></html>"""
    tree = parse_html(page)
    assert tree is not None
    text = "Max Lee has more.\nReport: People were seen wearing layers."
    # The description as og:description cut it: its first words are looked for.
    cut = lead[:60] + " ..."
    assert _with_lead(text, tree, [cut], "Colder on Wednesday") == f"{lead}\n{text}"
    crumb = "The heavy downpours on Monday, as a crumb, were followed by cold winds"
    assert _with_lead(text, tree, [crumb], "Colder on Wednesday") == text


def test_a_description_that_is_the_headline_or_the_footer_s_is_no_lead() -> None:
    from tasks.extract.document import _with_lead
    from tasks.extract.parse import parse_html

    page = """<html><body><h1>Der Hafen von Kiel wächst schneller als alle anderen</h1>
    <p>Die Hafenbehörde meldet für das Jahr ein Plus von zwölf Prozent beim Umschlag.</p>
    <p>Der Hafen wächst, sagt die Behörde.</p>
    <div class="row footer"><p>Hafen Kiel GmbH, Am Kai 1, 24103 Kiel, Telefon 0431 123 456</p>
    </div></body></html>"""
    tree = parse_html(page)
    assert tree is not None
    text = "Der Hafen wächst, sagt die Behörde."
    title = "Der Hafen von Kiel wächst schneller als alle anderen"
    lead = "Die Hafenbehörde meldet für das Jahr ein Plus von zwölf Prozent beim Umschlag."
    assert _with_lead(text, tree, [lead], title) == f"{lead}\n{text}"
    assert _with_lead(f"{lead}\n{text}", tree, [lead], title) == f"{lead}\n{text}"  # has it
    # One description is the text's first lines, another the lead (meedia.de): the lead.
    assert _with_lead(text, tree, [text * 3, lead], title) == f"{lead}\n{text}"
    assert _with_lead(text, tree, [title + " – und bald noch schneller"], title) == text
    footer = "Hafen Kiel GmbH, Am Kai 1, 24103 Kiel, Telefon 0431 123 456"
    assert _with_lead(text, tree, [footer], title) == text
    unprinted = "Nirgends gedruckt, aber lang genug für eine Beschreibung"
    assert _with_lead(text, tree, [unprinted], title) == text


def test_a_cookie_banner_is_no_text_but_a_page_about_cookies_keeps_them(tmp_path: Path) -> None:
    # Nestlé Family: 'Our site uses cookies and other technologies so that we, and our
    # partners, can remember you ...' under the recipe.
    article = extract_item(real_item(tmp_path, "nestle-family-com-chicken.html"))
    assert isinstance(article, Article), article
    assert "arrange the chicken pieces over rice" in article.text
    assert "cookie" not in article.text.lower()
    from tasks.extract.document import _without_cookie_notice

    banner = "Wir verwenden Cookies. Durch Bestätigen des Buttons stimmst Du der Verwendung zu."
    recipe = "Roll the dough into balls and place them on a cookie sheet."
    assert _without_cookie_notice(f"{recipe}\n{banner}") == recipe
    policy = [  # a privacy policy: every line about cookies stays
        "Do we use 'cookies'?",
        "Google, as a third-party vendor, uses cookies to serve ads on our site.",
        "If you turn cookies off, some features that make your site experience more "
        "efficient may not function properly.",
        "You can choose to turn off all cookies.",
    ]
    assert _without_cookie_notice("\n".join(policy)) == "\n".join(policy)


def test_calls_to_follow_the_site_or_to_subscribe_are_no_text(tmp_path: Path) -> None:
    # aerobuzz.de ends its report with 'Liken Sie uns auf Facebook', 'Folgen Sie uns auf Twitter'.
    article = extract_item(real_item(tmp_path, "aerobuzz.de-bremen.html"))
    assert isinstance(article, Article), article
    assert "Dan Gelston, der Vorsitzende des Geschäftsbereichs" in article.text
    assert "Folgen Sie uns" not in article.text and "Liken Sie uns" not in article.text
    calls = [  # as real pages of the benchmark print them
        "For the latest stories and breaking news updates download the Nationnews apps for iOS "
        "and Android.",
        "¿Ya sabías que en Guatemala.com tenemos canal de Telegram? Únete desde tu celular.",
        "Sieh dir diesen Beitrag auf Instagram an",
        "Subscribe now to our eNATION edition for the full story.",
        "Abonnieren Sie jetzt den Themen-Newsletter «Wohnen».",
        "Zapraszamy też do subskrypcji tygodnika w Sieci Przyjaciół",
    ]
    kept = [
        "Mr Shapps said on Twitter: “The latest data indicates we need to remove Turkey.”",
        "„Kein Abonnement erforderlich. Keine Werbung“, schrieb die NASA.",
        "Signing up for Coinbase Pro is very similar: you must use the same email address.",
        "Relotius legt auf Facebook ein Fake-Profil an. Es stützt seine Version.",
    ]
    assert_lines_go(calls, kept)


def test_a_link_in_a_sentence_or_to_another_site_stays() -> None:
    from tasks.extract.document import _without_teaser_links
    from tasks.extract.parse import parse_html

    tree = parse_html(
        """<html><body><article><p>Der Hafen wächst.</p>
        <p>Mehr steht im <a href="/a/2">Bericht über den Hafen</a> von gestern.</p>
        <p><a href="https://other.example.org/studie">Die Studie der Universität</a></p>
        <p><a href="https://news.example.de/a/1#mehr">Zum Abschnitt über Schiffe</a></p>
        <p>Lesenswert:</p><p><a href="https://www.example.de/a/3">Ein anderer Bericht dazu</a></p>
        </article></body></html>"""
    )
    assert tree is not None
    text = "\n".join([
        "Der Hafen wächst.", "Mehr steht im Bericht über den Hafen von gestern.",
        "Die Studie der Universität", "Zum Abschnitt über Schiffe", "Lesenswert:",
        "Ein anderer Bericht dazu",
    ])  # fmt: skip
    kept = _without_teaser_links(text, tree, "https://news.example.de/a/1")
    assert kept.split("\n") == text.split("\n")[:4]
    # A paragraph of links between line breaks is a list of teasers, every one of them.
    tree = parse_html(
        """<html><body><p>Der Hafen wächst.</p><p><a href="/a/2">Warum der Hafen wächst</a><br>
        <a href="/a/3">Was der Hafen kostet</a></p></body></html>"""
    )
    assert tree is not None
    listed = "Der Hafen wächst.\nWarum der Hafen wächst\nWas der Hafen kostet"
    assert _without_teaser_links(listed, tree, "https://news.example.de/a/1") == "Der Hafen wächst."
    # A saved page that names no URL: only a relative link is known to be the site's.
    assert _without_teaser_links(text, tree, None) == text


def test_photo_credits_and_copyright_lines_are_no_text(tmp_path: Path) -> None:
    # bundesrat.de: each photo's credit is a line of its own ('© dpa | Kay Nietfeld').
    article = extract_item(real_item(tmp_path, "bundesrat.de-erinnerungen.html"))
    assert isinstance(article, Article), article
    assert "©" not in article.text
    assert "\nAuf der zentralen Gedenkfeier im Bundestag sprachen" in article.text  # after the lead
    assert "Seit 1996 offizieller Gedenktag" in article.text


def test_a_paragraph_that_quotes_a_copyright_notice_stays_but_notices_go() -> None:
    from tasks.extract.document import _without_labels

    quoted = (
        "From the book The Great Democracy by Ganesh Sitaraman. Copyright © 2019 by Ganesh "
        "Sitaraman. Reprinted by permission of Basic Books, an imprint of Hachette Book Group."
    )
    notices = [
        "© 2020 Example Media. All rights reserved.",
        "Materiał chroniony prawem autorskim - zasady przedruków określa regulamin.",
        "Alle Rechte vorbehalten.",
        "(c) 2021 Example Verlag GmbH",
        "Lesezeit: 2 Minuten",  # a theme's reading time
        "Ten tekst przeczytasz w mniej niż minutę",
        "aja/PAP",  # a desk's sign-off, among the last lines
    ]
    text = "\n".join(["The article's last paragraph.", quoted, *notices])
    assert _without_labels(text) == f"The article's last paragraph.\n{quoted}"
    # Higher up, a line of that shape is the text's own ('Inputs/Outputs' as a heading).
    text = "\n".join(["Inputs/Outputs", "One.", "Two.", "Three.", "(dr/spot)"])
    assert _without_labels(text) == "Inputs/Outputs\nOne.\nTwo.\nThree."


def test_a_short_text_that_holds_most_of_its_page_skips_the_fallback_cascade() -> None:
    from tasks.extract.document import FALLBACK_BELOW_WORDS, _short_of_page
    from tasks.extract.parse import parse_html

    article = " ".join(f"word{i}" for i in range(60))
    small = parse_html(f"<html><body><nav>Home News</nav><p>{article}</p></body></html>")
    other = "<p>" + " ".join(f"other{i}" for i in range(2_000)) + "</p>"
    big = parse_html(f"<html><body><p>{article}</p>{other}</body></html>")
    assert small is not None and big is not None and FALLBACK_BELOW_WORDS > 60
    assert not _short_of_page(article, small)  # the page has nothing more to find
    assert _short_of_page(article, big)  # 60 of ~2,060 words: the fallbacks may find more
    long_text = " ".join(f"w{i}" for i in range(FALLBACK_BELOW_WORDS))
    assert not _short_of_page(long_text, big)


@pytest.mark.parametrize(
    ("last_line", "signed"),
    [
        ("Stefan Wasmer", ["Stefan Wasmer"]),
        ("Götz Warnke", ["Götz Warnke"]),
        # Last lines of real pages that are no signature.
        ("Quelle: Montanuniversität Leoben", []),
        ("Copyright: Gisele Wender", []),
        ("MEHR ERFAHREN", []),
        ("Keep Talking Sports!", []),
        ('Aufs Baugerüst."', []),
        ("Teilnehmende Blogs:", []),
        ("Stefan", []),
    ],
)
def test_a_name_alone_on_the_last_line_signs_the_text(last_line: str, signed: list[str]) -> None:
    assert _signed(f"The report's last paragraph.\n{last_line}\n") == signed
