"""Proposals, supports, Thai text processing, clustering, curated issues and the agenda."""
