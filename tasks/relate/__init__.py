"""Relating: exact and near duplicates, the similarity index, and stories."""
