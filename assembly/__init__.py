"""Assemblies, networks, participants, users, steps, the web app and its real-time hub."""
