"""Bytes to text: charsets and binary sniffing."""

from __future__ import annotations

import codecs

import pytest

from tasks.decode import declared_charset, decode, sniff_binary

WESTERN = "Le café de Zürich servait une crème brûlée à l'élève naïf, señor."


def test_utf8_is_read_as_utf8() -> None:
    assert decode("Grüße — “quoted”".encode()) == ("Grüße — “quoted”", "utf-8")


def test_utf8_with_bom() -> None:
    text, encoding = decode(codecs.BOM_UTF8 + "Grüße".encode())
    assert (text, encoding) == ("Grüße", "utf-8-sig")


def test_utf16_with_bom() -> None:
    assert decode("Grüße aus Köln".encode("utf-16"))[0] == "Grüße aus Köln"


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
