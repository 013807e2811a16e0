"""Ballots over issues or virtues, prioritisation methods, tallies and consensus."""
