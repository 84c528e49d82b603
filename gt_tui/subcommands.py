"""One way to register a subcommand: its one-line help, and the same line as its description."""

from __future__ import annotations

import argparse
from typing import TypeAlias

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_subcommand(parent: Subparsers, name: str, text: str) -> argparse.ArgumentParser:
    """A subcommand whose `--help` opens with `text` as a sentence."""
    return parent.add_parser(name, help=text, description=text[:1].upper() + text[1:] + ".")
