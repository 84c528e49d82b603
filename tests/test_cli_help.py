"""The command line's help as a user reads it: every option described, no `--yes` where
nothing is asked, and no pointer into a document users do not have ("spec section 4", §)."""

from __future__ import annotations

import argparse
import re

import pytest

from gt_tui.cli import build_parser, commands

# Commands that change nothing: they ask nothing, so they take no `--yes`.
READING = (
    "config list",
    "config get",
    "pool list",
    "tmux list",
    "queue list",
    "indexes check",
    "benchmark compare",
    "doctor",
)
SPEC_POINTER = re.compile(r"\bspec\b|§|section \d", re.IGNORECASE)


PARSERS = {"gt-tui": build_parser(), **dict(commands(build_parser()))}


def undescribed(parser: argparse.ArgumentParser) -> list[str]:
    """The options, arguments and subcommands of `parser` that have no help text."""
    bare = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            bare += [choice.dest for choice in action._choices_actions if not choice.help]
        elif not action.help or action.help == argparse.SUPPRESS:
            bare.append("/".join(action.option_strings) or action.dest)
    return bare


def texts(parser: argparse.ArgumentParser) -> list[str]:
    """Every help text and description a user can see in `parser --help`."""
    found = [parser.description or ""]
    for action in parser._actions:
        found.append(action.help or "")
        if isinstance(action, argparse._SubParsersAction):
            found += [choice.help or "" for choice in action._choices_actions]
    return found


@pytest.mark.parametrize("words", PARSERS)
def test_every_option_has_a_description(words: str) -> None:
    assert undescribed(PARSERS[words]) == []


@pytest.mark.parametrize("words", PARSERS)
def test_no_help_points_into_the_spec(words: str) -> None:
    assert [text for text in texts(PARSERS[words]) if SPEC_POINTER.search(text)] == []


def test_commands_that_change_nothing_offer_no_yes() -> None:
    assert set(READING) <= set(PARSERS)
    assert [words for words in READING if "--yes" in PARSERS[words]._option_string_actions] == []
    assert "--yes" in PARSERS["queue flush"]._option_string_actions  # the ones that ask keep it
