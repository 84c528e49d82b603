"""Modal dialogs for actions: confirm, choose a benchmark, and show a result."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.pretty import Pretty
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from gt_tui.engine.facade import ActionResult, EngineFacade
from gt_tui.export.bench_view import bench_renderable
from gt_tui.ui.console_state import console_host
from gt_tui.ui.keymap import BENCHMARK_KINDS, Key
from gt_tui.ui.screens.base import Released


def details_renderable(details: object) -> RenderableType:
    """An action's details as something to show: text as is, data pretty-printed."""
    if details is None or details == "":
        return Text("no details")
    if isinstance(details, str):
        return Text(details)
    table = bench_renderable(details)  # a benchmark: the CLI's table, in its units
    if table is not None:
        return table
    return Pretty(details, max_length=6, max_string=200)  # long sample lists are cut


class ConfirmScreen(Released, ModalScreen[bool]):
    """Ask before an action changes anything: `y` runs it, `n` or `escape` cancels.

    A key with a `preview` asks with the real values (which rigs and how many worktrees,
    how many slings, which sessions): the facade's read-only preview runs in a thread and
    `y` waits for the question it fills in. Should the preview fail, the plain question
    is asked with the reason."""

    BINDINGS: ClassVar = [
        Binding("y", "answer(True)", "run"),
        Binding("n", "answer(False)", "cancel"),
        Binding("escape", "answer(False)", "cancel", show=False),
    ]

    def __init__(self, spec: Key, facade: EngineFacade | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.facade = facade
        self.reading = spec.preview is not None and facade is not None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.spec.heading
            text = "Reading what this will do…" if self.reading else self.spec.confirm
            yield Static(text, id="question", classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run  y", id="yes", variant="warning", disabled=self.reading)
                yield Button("Cancel  n", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()
        if self.reading:
            self._read_preview()

    @work(thread=True, exit_on_error=False)
    def _read_preview(self) -> None:
        spec, facade = self.spec, self.facade
        assert spec.preview is not None and facade is not None
        try:
            question = spec.confirm_with.format_map(spec.preview(facade).values())
        except Exception as error:  # the plain question still stands
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
            question = f"{spec.confirm}\n(could not read what it would do: {reason})"
        self.app.call_from_thread(self._ask, question)

    def _ask(self, question: str) -> None:
        self.reading = False
        if self.is_attached:
            self.query_one("#question", Static).update(question)
            self.query_one("#yes", Button).disabled = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        if answer and self.reading:
            return  # not before the question says what it will do
        self.dismiss(answer)


class BenchmarkScreen(Released, ModalScreen[str | None]):
    """Choose what to benchmark (this is the confirmation too); `escape` cancels.

    The choices stand one under the other, key first, so the dialog fits 80 columns."""

    DEFAULT_CSS = """
    BenchmarkScreen .bench-choices { height: auto; }
    BenchmarkScreen .bench-choices > Button {
        width: 100%; height: 1; min-width: 0; border: none; margin: 0 0 0 0;
        content-align: left middle; text-align: left;
    }
    """

    BINDINGS: ClassVar = [
        *(Binding(kind[0], f"choose('{kind}')", label) for kind, label in BENCHMARK_KINDS),
        Binding("escape", "choose('')", "cancel", show=False),
    ]

    def __init__(self, spec: Key) -> None:
        super().__init__()
        self.spec = spec

    def compose(self) -> ComposeResult:
        keys = "/".join(kind[0] for kind, _ in BENCHMARK_KINDS)
        with Vertical(classes="dialog") as box:
            box.border_title = "Benchmark"
            box.border_subtitle = f"{keys} run  esc cancel"
            yield Static(self.spec.confirm, classes="dialog-body")
            with Vertical(classes="bench-choices"):
                for kind, label in BENCHMARK_KINDS:
                    yield Button(f"{kind[0]:>3}  {label}", id=f"kind-{kind}")
                yield Button("esc  Cancel", id="kind-")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose((event.button.id or "kind-").removeprefix("kind-"))

    def action_choose(self, kind: str) -> None:
        self.dismiss(kind or None)


class ResultScreen(Released, ModalScreen[None]):
    """What an action did: its one-line summary and its details."""

    BINDINGS: ClassVar = [
        Binding("escape", "close", "close"),
        Binding("enter", "close", "close", show=False),
        Binding("q", "close", "close", show=False),
    ]

    def __init__(self, spec: Key, result: ActionResult) -> None:
        super().__init__()
        self.spec = spec
        self.result = result

    def compose(self) -> ComposeResult:
        palette = console_host(self.app).palette
        ok = bool(self.result.ok)
        with Vertical(classes="dialog -result") as box:
            box.border_title = self.spec.heading
            box.border_subtitle = "esc close"
            mark = "✓" if ok else "✖"
            style = palette.healthy if ok else palette.danger
            yield Label(Text(f"{mark} {self.result.summary}", style=style), classes="dialog-title")
            with VerticalScroll(classes="dialog-details"):
                yield Static(details_renderable(self.result.details))

    def action_close(self) -> None:
        self.dismiss(None)
