"""The kernel (assemblies, networks, participants, users, joining and seats, steps and rules,
runtime, events, db, settings, text cleaning, backup) and, in `web/`, `cli.py` and `demo.py`, the
web and CLI layer on top of every feature (docs/architecture.md)."""
