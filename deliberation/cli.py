"""`samatcha` subcommands of deliberation (filled in by the clustering work)."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register deliberation's subcommands (e.g. `samatcha cluster`) on the main parser."""
