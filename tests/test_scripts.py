"""Text in scripts written without spaces: real Japanese and Chinese pages land, with a word
count that fits their script (split on spaces, a whole article was "4 words" and dropped)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tasks.extract.document import MIN_WORDS, extract_item
from tasks.extract.scripts import count_words
from tasks.models import Article, SourceItem
from tests.conftest import FIXTURES

REAL = FIXTURES / "real"


def _item(path: Path) -> SourceItem:
    st = os.stat(path)
    return SourceItem("file", str(path), str(path), st.st_size, st.st_mtime_ns)


def test_words_are_counted_the_way_each_script_writes_them() -> None:
    assert count_words("Two words") == 2
    assert count_words("子どもへの虐待") == 7  # kana and kanji: one each
    assert count_words("NHK ニュース") == 5
    assert count_words("한국어 문장은 띄어쓰기를 합니다") == 4  # Hangul has spaces
    assert count_words("ภาษาไทยไม่มีช่องว่าง") == 5  # 20 Thai characters, ~4 per word
    assert count_words("Ça, c'est déjà ça.") == 4


@pytest.mark.parametrize(
    ("name", "language", "snippet"),
    [
        ("nhk.or.jp.k100.html", "ja", "法律では虐待をした親に専門家が子どもの育て方を"),
        ("archive.org.he.xinhuanet.com.25340717.html", "zh", "一个约定，信守15年，感人至深"),
    ],
)
def test_a_cjk_article_lands_with_a_sensible_word_count(
    name: str, language: str, snippet: str
) -> None:
    article = extract_item(_item(REAL / name))
    # Before: IngestError "no article text found by trafilatura (4 words)".
    assert isinstance(article, Article), article
    assert snippet in article.text
    assert article.language == language
    assert article.word_count >= 10 * MIN_WORDS
    assert article.word_count == count_words(article.text) > len(article.text.split()) * 5


def test_a_cjk_copy_is_a_near_duplicate_and_another_article_is_not() -> None:
    from tasks.relate import minhash

    ja = extract_item(_item(REAL / "nhk.or.jp.k100.html"))
    zh = extract_item(_item(REAL / "archive.org.he.xinhuanet.com.25340717.html"))
    assert isinstance(ja, Article) and isinstance(zh, Article)
    # Shingles of 3 characters: before, the whole article was 4 "words", one shingle.
    assert ja.shingles > 250 and zh.shingles > 1000
    sentences = ja.text.split("。")
    copy = "このニュースをシェアする。\n" + "。".join(sentences[1:]) + "\nNHKニュースをもっと読む"
    sigs, counts = minhash.signatures([ja.text, copy, zh.text])
    similar = minhash.jaccard(sigs[0], sigs[1])
    contained = minhash.containment(sigs[1], counts[1], sigs[0], counts[0])
    assert minhash.is_near_duplicate(similar, contained)
    assert minhash.jaccard(sigs[0], sigs[2]) < 0.05
