"""Language of an article's text, offline (py3langid: its model ships inside the package)."""

from __future__ import annotations

import re
from functools import cache

from tasks.extract.scripts import HAN_KANA

# The opening decides it: detection time grows with the text (0.5 ms for 2,000 characters,
# 0.2 ms for 600) and on 1,000 BBC articles 600 characters gave the same answers as 2,000.
SAMPLE_CHARS = 600
# Below this many letters the guess is noise ("af" for an empty string); the page's own
# declaration, if any, is kept instead. A Chinese, Japanese or Korean character counts as
# three letters: 14 of them tell the language (zh, ja and ko headlines of 15-35 characters:
# 9 of 9 right), where counted as one, briefs of 26-38 characters were too short to tell.
MIN_LETTERS = 40
# Below this probability a declared language wins (mixed-language or list-like texts).
MIN_CONFIDENCE = 0.5
# Letters, and the vowel signs of Indic and Southeast Asian scripts, which are marks to
# `\w` (5 of the 9 characters of 'होक्काइडो' were not counted).
_LETTER = re.compile(r"[^\W\d_]|[\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")  # syllables; Han and kana are scripts.HAN_KANA
# py3langid knows some languages by a code of three letters only; these are written as, and
# read by the rules of, the language that has a two-letter code (a short Chinese headline
# came out as Wu, 'wuu'; a paragraph of an Arabic news report as Moroccan Arabic, 'ary').
# The others ('pcm', 'kab', ...) have no parent and stay as they are.
_PARENT = {
    "ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "hbo": "he", "grc": "el",
    "uzs": "uz", "sdh": "ku", "gug": "gn",
}  # fmt: skip
NO_LANGUAGE = "zxx"  # py3langid's "no linguistic content": no answer


@cache
def _identifier():  # py3langid has no types
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def warm_up() -> None:
    """Load the model (0.7 s) now, in a worker's start-up, not in its first article."""
    _identifier()


def detect(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language; `declared` (e.g. <html lang>) when the text is
    too short or too mixed to tell, normalised to its primary subtag ("en-GB" -> "en")."""
    sample = text[:SAMPLE_CHARS]
    wide = len(HAN_KANA.findall(sample)) + len(_HANGUL.findall(sample))
    if len(_LETTER.findall(sample)) + 2 * wide >= MIN_LETTERS:
        language, confidence = _identifier().classify(sample)
        if language != NO_LANGUAGE and (confidence >= MIN_CONFIDENCE or not declared):
            return _PARENT.get(language, language)
    if declared:
        return declared.strip().replace("_", "-").split("-")[0].lower() or None
    return None
