"""`samatcha export` and `samatcha import-archive` (filled in by the agenda work)."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the agenda's subcommands on the main parser."""
