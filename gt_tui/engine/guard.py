"""The one guard every change goes through: read-only refusal, timing, one audit line.

A facade (`engine.actions.Actions` for a town, `engine.local_actions.LocalActions` for
settings, sandboxes and saved results) subclasses `Guarded` and decorates each method
that changes something with `@action(name)`. The decorator, not the caller, is the
guard: in read-only mode (`--read-only`, `--wall`) it raises `ReadOnlyRefused` before the
method runs; every call is timed and leaves exactly one audit line, refusals and failures
included. A failure the user can act on (a GtTuiError) comes back as
`ActionResult(ok=False, summary=<one line>)`; anything else is a bug and is raised after
it is audited.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from gt_tui.engine.audit import AuditLog
from gt_tui.errors import GtTuiError, ReadOnlyRefused
from gt_tui.safe_text import safe_text

F = TypeVar("F", bound=Callable[..., "ActionResult"])


@dataclass(frozen=True)
class ActionResult:
    """What an action did: success, one line for the user, and the data behind it."""

    ok: bool
    summary: str
    details: Any = None


def action(name: str, hidden: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Make a method a guarded, timed, audited action called `name`; the arguments named in
    `hidden` (bulky data, not choices) stay out of the audit line, as callables do."""

    def wrap(method: F) -> F:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def run(self: Guarded, *args: Any, **kwargs: Any) -> ActionResult:
            # A refusal needs no arguments: the console refuses before it asks for them.
            bind = signature.bind_partial if self.read_only else signature.bind
            bound = bind(self, *args, **kwargs)
            bound.apply_defaults()
            arguments = {
                k: v
                for k, v in list(bound.arguments.items())[1:]
                if not callable(v) and k not in hidden
            }
            return self._guarded(name, arguments, lambda: method(self, *args, **kwargs))

        run.action_name = name  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return wrap


class Guarded:
    """Base of the guarded facades: `read_only`, `audit_log` and the town audit lines name."""

    read_only: bool
    audit_log: AuditLog

    @classmethod
    def action_names(cls) -> dict[str, str]:
        """Method name -> action name, for every guarded action."""
        found = {n: getattr(getattr(cls, n), "action_name", None) for n in dir(cls)}
        return {method: name for method, name in found.items() if name}

    @property
    def audit_town(self) -> str:
        """The town named in audit lines."""
        raise NotImplementedError

    @property
    def audit_root(self) -> str | None:
        """The town's directory in audit lines (two towns may share a name); None outside one."""
        return None

    def _guarded(
        self, name: str, arguments: dict[str, Any], work: Callable[[], ActionResult]
    ) -> ActionResult:
        start = time.perf_counter()
        if self.read_only:
            refusal = ReadOnlyRefused(name)
            self._audit(name, arguments, "refused", str(refusal), start)
            raise refusal
        try:
            result = work()
        except ReadOnlyRefused as exc:  # a read-only database below a writable facade
            self._audit(name, arguments, "refused", str(exc), start)
            raise
        except GtTuiError as exc:
            result = ActionResult(False, safe_text(str(exc)))  # it may quote town text
        except BaseException as exc:
            self._audit(name, arguments, "error", f"{type(exc).__name__}: {exc}", start)
            raise
        self._audit(name, arguments, "ok" if result.ok else "error", result.summary, start)
        return result

    def _audit(
        self, name: str, arguments: dict[str, Any], status: str, text: str, start: float
    ) -> None:
        elapsed = (time.perf_counter() - start) * 1000.0
        self.audit_log.record(
            town=self.audit_town,
            root=self.audit_root,
            action=name,
            arguments=arguments,
            status=status,
            summary=text,
            duration_ms=elapsed,
        )
