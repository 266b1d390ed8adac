"""Exact-duplicate hashing: what counts as the same text."""

from __future__ import annotations

from tasks.relate.exact import content_hash, normalize_for_hash


def test_typography_case_and_spacing_do_not_change_the_hash() -> None:
    a = "North Korea’s troops — “3,000” of them —  were sent.\n\nOfficials said so."
    b = 'north korea\'s troops - "3,000" of them - were sent. officials said so.'
    assert content_hash(a) == content_hash(b)


def test_nfkc_folds_compatibility_characters() -> None:
    assert normalize_for_hash("ﬁnal ① Ｆｕｌｌ\u00a0width") == "final 1 full width"


def test_different_words_give_different_hashes() -> None:
    assert content_hash("3,000 troops were sent.") != content_hash("12,000 troops were sent.")
