"""Which articles are duplicates: confirming candidate pairs, and counting the copies a batch
landed. Plain decisions over small inputs; the relate step (tasks/relate/batch.py) feeds them
from the similarity index and the warehouse."""

from __future__ import annotations

from tasks.relate import minhash


def confirm_pairs(
    candidates: list[tuple[str, str, str]], scores: list[tuple[float, float]]
) -> list[dict]:
    """Duplicate pairs from candidates (a_id, b_id, method) and their estimated (Jaccard,
    containment): exact and same-URL pairs stand; a pair that only shares an LSH band stands
    when its Jaccard or containment says so."""
    pairs = []
    for (a_id, b_id, method), (similarity, containment) in zip(candidates, scores, strict=True):
        if method == "exact":
            similarity = containment = 1.0
        elif method == "near" and not minhash.is_near_duplicate(similarity, containment):
            continue
        pairs.append(
            {
                "article_id": a_id,
                "other_id": b_id,
                "method": method,
                "similarity": similarity,
                "containment": containment,
            }
        )
    return pairs


def copies_landed(groups: list[dict]) -> set[str]:
    """The new articles a run counts as duplicates: every new member of a group that already
    had an article, whichever of them is dated earlier (and so the group's original); in a
    group made only of new articles, all but its original."""
    members: dict[str, list[dict]] = {}
    for g in groups:
        members.setdefault(g["original_id"], []).append(g)
    copies = set()
    for original, group in members.items():
        new = {g["article_id"] for g in group if g["is_new"]}
        copies |= new if len(new) < len(group) else new - {original}
    return copies


def copies_before(groups: list[dict]) -> dict[str, set[str]]:
    """New originals of groups that already had members before this batch: original -> those
    members (dated later than it: an equally dated member landed earlier stays the original)."""
    found: dict[str, set[str]] = {}
    for g in groups:
        if not g["is_new"]:
            found.setdefault(g["original_id"], set()).add(g["article_id"])
    new = {g["article_id"] for g in groups if g["is_new"]}
    return {original: old for original, old in found.items() if original in new}
