"""Bytes to text: charsets and binary sniffing."""

from __future__ import annotations

import codecs

import pytest

from tasks.extract.decode import declared_charset, decode, sniff_binary

WESTERN = "Le café de Zürich servait une crème brûlée à l'élève naïf, señor."


def test_utf8_is_read_as_utf8() -> None:
    assert decode("Grüße — “quoted”".encode()) == ("Grüße — “quoted”", "utf-8")


def test_utf8_with_bom() -> None:
    text, encoding = decode(codecs.BOM_UTF8 + "Grüße".encode())
    assert (text, encoding) == ("Grüße", "utf-8-sig")


def test_utf16_with_bom() -> None:
    assert decode("Grüße aus Köln".encode("utf-16"))[0] == "Grüße aus Köln"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(encoding: str) -> None:
    # Windows tools write it; it was refused as binary data (NUL bytes).
    page = "<html><head><title>Grüße aus Köln</title></head><body><p>Der Dom.</p></body>"
    data = (page * 2).encode(encoding)
    assert sniff_binary(data) is None
    assert decode(data) == (page * 2, encoding)


def test_latin1_text_is_read_correctly() -> None:
    assert decode(WESTERN.encode("latin-1"))[0] == WESTERN


def test_cp1252_smart_quotes_and_euro_are_read_correctly() -> None:
    text = "“Prices rose by €5 – a record,” she said… naïvely."
    assert decode(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("Привет, это новости из Москвы и Киева сегодня", "cp1251"),
     ("Ειδήσεις από την Αθήνα και τη Θεσσαλονίκη σήμερα", "iso8859-7")],
)  # fmt: skip
def test_other_alphabets_are_not_forced_into_cp1252(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding))[0] == text


def test_declared_html_charset_is_honoured() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body>Привет</body></html>'
    data = page.encode("cp1251")
    assert declared_charset(data) == "cp1251"
    assert decode(data, declared_charset(data))[0] == page


def test_a_wrong_declaration_falls_back_to_detection() -> None:
    page = '<html><head><meta charset="utf-8"></head><body>Grüße, naïve café</body></html>'
    data = page.encode("latin-1")
    assert decode(data, declared_charset(data))[0] == page


def test_latin1_declaration_means_windows_1252() -> None:
    assert (
        declared_charset(
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
        )
        == "cp1252"
    )


def test_unknown_declaration_is_ignored() -> None:
    assert declared_charset(b'<meta charset="x-klingon">') is None


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (bytes(range(256)) * 4, "NUL"),
    ],
)
def test_binary_data_is_named(data: bytes, kind: str) -> None:
    assert kind in (sniff_binary(data) or "")


def test_text_is_not_binary() -> None:
    assert sniff_binary(WESTERN.encode("latin-1")) is None
    assert sniff_binary("Grüße".encode("utf-16")) is None


# --------------------------------------------------------------------------- UTF-8 but for a byte

STORY = (
    "Café owners in Zürich count the cost — “about €40,000” of stock lost, the manager said, "
    "as crème brûlée went back in the window. "
)


def test_utf8_with_one_invalid_byte_stays_utf8_with_the_repair_recorded() -> None:
    data = STORY.encode() + b"The owner\x92s brother sent flour.\n"
    text, encoding = decode(data)
    assert text == STORY + "The owner\ufffds brother sent flour.\n"
    assert encoding == "utf-8 (1 invalid byte replaced)"


def test_a_few_invalid_bytes_in_a_long_utf8_text_are_replaced() -> None:
    data = (STORY.encode() + b"\xe9 ") * 3 + STORY.encode() * 30  # 3 bad bytes in 5.6 KB
    text, encoding = decode(data)
    assert encoding == "utf-8 (3 invalid bytes replaced)"
    assert text.count("\ufffd") == 3 and text.count("Zürich") == 33


def test_utf8_with_a_bom_and_a_bad_byte_is_repaired_not_an_error() -> None:
    text, encoding = decode(codecs.BOM_UTF8 + STORY.encode() + b"\xff")
    assert (text, encoding) == (STORY + "\ufffd", "utf-8-sig (1 invalid byte replaced)")


def test_too_many_invalid_bytes_are_not_papered_over() -> None:
    # 6 invalid bytes in 1.2 KB: more than "a few"; detection decides, nothing is replaced.
    story = "Café owners in Zürich count the cost, as crème brûlée went back in the window. "
    data = (story.encode() + b"\xe9\xe8 ") * 3 + story.encode() * 9
    text, encoding = decode(data)
    assert "replaced" not in encoding and "\ufffd" not in text


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_text_with_accidental_utf8_sequences_stays_western(encoding: str) -> None:
    # "ß" before a closing quote or a no-break space is a valid UTF-8 pair in these bytes.
    text = f"Die Straße\u00a0in München: „Größe“ – {WESTERN} " * 2
    if encoding == "latin-1":
        text = text.replace("„", '"').replace("“", '"').replace("–", "-")
    assert decode(text.encode(encoding))[0] == text
