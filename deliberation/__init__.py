"""Proposals, supports, Thai text processing, clustering and curated issues."""
