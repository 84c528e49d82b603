"""The doctor's machinery: checks as data, their outcomes, and the run that orders them.

A check is a small function over the shared context that returns an `Outcome` (or raises
`Skip`). `Check.needs` names earlier checks it cannot do without: when one of those failed
or was skipped (a warning does not block), the check is not run and says "skipped: <why>"
(the needed check's `blocks` text) instead of piling a second error on the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gt_tui.errors import GtTuiError

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
SYMBOLS = {PASS: "✓", FAIL: "✗", WARN: "!", SKIP: "-"}
# Exit codes: nothing failed (warnings allowed); a check failed; the doctor could not run.
EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2


@dataclass(frozen=True)
class Outcome:
    """What one check found: its status, one line of detail and what to do about it."""

    status: str
    detail: str
    hint: str = ""


def passed(detail: str) -> Outcome:
    return Outcome(PASS, detail)


def failed(detail: str, hint: str) -> Outcome:
    return Outcome(FAIL, detail, hint)


def warned(detail: str, hint: str) -> Outcome:
    return Outcome(WARN, detail, hint)


class Skip(Exception):
    """Raised by a check that cannot run; its message is the reason shown after "skipped:"."""


@dataclass(frozen=True)
class Check:
    """One line of the report: a name, the function that decides it, and what it needs."""

    name: str
    run: Callable[[Any], Outcome]
    needs: tuple[str, ...] = ()
    blocks: str = ""  # why the checks that need this one skip when it does not pass


@dataclass(frozen=True)
class Result:
    """A check's name with its outcome, as the report shows it."""

    name: str
    status: str
    detail: str
    hint: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "hint": self.hint}


def run_checks(checks: Sequence[Check], ctx: Any) -> list[Result]:
    """Run every check in order; one that raises becomes a failed line, never a traceback."""
    results: dict[str, Result] = {}
    by_name = {check.name: check for check in checks}
    for check in checks:
        blocked = [n for n in check.needs if n in results and results[n].status in (FAIL, SKIP)]
        if blocked:
            results[check.name] = _skipped(check.name, results[blocked[0]], by_name)
            continue
        results[check.name] = _run_one(check, ctx)
    return list(results.values())


def _skipped(name: str, blocker: Result, by_name: dict[str, Check]) -> Result:
    """Skipped for the first reason in the chain: a skipped blocker passes its own on."""
    if blocker.status == SKIP:
        return Result(name, SKIP, blocker.detail)
    why = by_name[blocker.name].blocks or f"{blocker.name} did not pass"
    return Result(name, SKIP, f"skipped: {why}")


def _run_one(check: Check, ctx: Any) -> Result:
    try:
        outcome = check.run(ctx)
    except Skip as why:
        return Result(check.name, SKIP, f"skipped: {why}")
    except GtTuiError as err:  # a source that stopped answering between two checks
        return Result(check.name, FAIL, str(err), "it answered a moment ago: run the doctor again")
    except Exception as exc:  # a check's own bug must not hide the other lines
        detail = f"could not check: {type(exc).__name__}: {exc}"
        return Result(check.name, FAIL, detail, "this is a gt-tui bug; please report it")
    return Result(check.name, outcome.status, outcome.detail, outcome.hint)


def exit_code(results: Sequence[Result]) -> int:
    """EXIT_FAILED when any check failed, else EXIT_OK (warnings and skips allowed)."""
    return EXIT_FAILED if any(r.status == FAIL for r in results) else EXIT_OK
