"""Every key of the console, as data: the footer, the help screen and the command palette read it.

Mutating keys carry the facade's action they call (gt_tui.engine.facade) and the question asked
before it runs; in read-only mode (the wall, or a read-only engine) they are hidden and refused,
and so is the demo's load key. Each key has a footer `rank`: where the footer has no room for
every key, it shows the lowest ranks (gt_tui.ui.widgets.footer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from gt_tui.engine.facade import ActionPreview, ActionResult, EngineFacade, Progress

Run = Callable[[EngineFacade], ActionResult]
Preview = Callable[[EngineFacade], ActionPreview]
RunChosen = Callable[[EngineFacade, str, Progress], ActionResult]
BENCHMARK_KINDS: tuple[tuple[str, str], ...] = (
    ("dolt", "Dolt query latency"),
    ("polecat", "Polecat spawn time"),
    ("convoy", "Convoy refresh time"),
)


@dataclass(frozen=True)
class Key:
    """One key: what it does, where it is shown, and, for actions, what it asks first."""

    key: str
    action: str
    label: str
    help: str
    section: str = "View"
    show: bool = True
    run: Run | None = None  # the facade's action, as called with nothing chosen
    choices: tuple[tuple[str, str], ...] = ()  # (kind, label): asked for before it runs
    run_chosen: RunChosen | None = None  # with `choices`: the action, given the kind chosen
    confirm: str = ""
    title: str = ""
    preview: Preview | None = None  # reads what the action would do, for `confirm_with`
    confirm_with: str = ""  # the question with the preview's values (its `values()` keys)
    rank: int = 50  # the footer keeps the lowest ranks when it has no room for every key
    also: tuple[str, ...] = ()  # more keys for the same action (shown in `shown_as`)
    shown_as: str = ""  # how the footer and `?` write the key(s), when not `display`
    changes: bool = False  # changes something without a facade action (the demo's load)

    @property
    def mutating(self) -> bool:
        return self.run is not None

    @property
    def refused_read_only(self) -> bool:
        """Hidden, and refused when pressed, in read-only mode (the wall)."""
        return self.mutating or self.changes

    @property
    def heading(self) -> str:
        """A title for dialogs and notifications."""
        return self.title or self.label.capitalize()

    @property
    def display(self) -> str:
        if self.shown_as:
            return self.shown_as
        return {"question_mark": "?", "space": "space", "escape": "esc"}.get(self.key, self.key)


def zoom_action(index: int) -> str:
    """The app's action that zooms metric `index` (1-5), as the keys and the panes run it."""
    return f"zoom({index})"


KEYS: tuple[Key, ...] = (
    Key(
        "r",
        "refresh_now",
        "refresh",
        "Refresh now (the next one is armed when it finishes)",
        rank=3,
    ),
    Key("space", "toggle_pause", "pause", "Pause or resume the automatic refresh", rank=2),
    *(
        Key(
            str(n),
            zoom_action(n),
            "zoom",
            f"Zoom metric {n}: full chart, breakdown, worst samples",
            show=n == 1,
            rank=4,
        )
        for n in range(1, 6)
    ),
    Key("m", "focus_map", "map", "Focus the bottleneck map (arrows move, enter zooms)", rank=5),
    Key("escape", "back", "back", "Back: close the zoom, leave the map", rank=6),
    Key("question_mark", "help", "help", "Show this help", rank=1),
    Key(
        "q",
        "quit",
        "quit",
        "Quit (ctrl+c and ctrl+q quit too, from any screen)",
        rank=0,
        also=("ctrl+c", "ctrl+q"),
        shown_as="q/^c",
    ),
    Key(
        "l",
        "demo_load",
        "load",
        "Demo town only: cycle its load light → normal → heavy",
        "Demo",
        rank=7,
        changes=True,
        title="Demo load",
    ),
    Key(
        "c",
        "act('c')",
        "clear",
        "Clear every cache (L1 hot beads, L2 query results)",
        "Actions",
        run=EngineFacade.clear_cache,
        rank=9,
        title="Clear caches",
        confirm="Drop every cached bead and query result? Refreshes are slower until they warm.",
    ),
    Key(
        "w",
        "act('w')",
        "warm",
        "Warm the caches (agents, status, hot beads)",
        "Actions",
        run=EngineFacade.warm_cache,
        rank=10,
        title="Warm caches",
        confirm="Load agents, status and hot beads into the caches now? This runs queries.",
    ),
    Key(
        "p",
        "act('p')",
        "pool",
        "Create a worktree pool so polecats spawn faster",
        "Actions",
        run=EngineFacade.create_pool,
        rank=12,
        title="Create worktree pool",
        confirm="Create a pool of ready git worktrees (default rig and size from settings)?",
        preview=EngineFacade.preview_pool,
        confirm_with="Create {new} git worktrees, each rig up to {size}: {rigs}?",
    ),
    Key(
        "f",
        "act('f')",
        "flush",
        "Flush the sling queue",
        "Actions",
        run=EngineFacade.flush_queue,
        rank=11,
        title="Flush sling queue",
        confirm="Drop every queued sling? Work waiting in the queue will not be dispatched.",
        preview=EngineFacade.preview_flush,
        confirm_with="Drop {slings} queued slings ({rigs})? They will not be dispatched.",
    ),
    Key(
        "b",
        "act('b')",
        "bench",
        "Run a benchmark (Dolt, polecat spawn or convoy refresh)",
        "Actions",
        run=EngineFacade.run_benchmark,
        choices=BENCHMARK_KINDS,
        run_chosen=EngineFacade.run_benchmark,
        rank=8,
        title="Benchmark",
        confirm="Run a benchmark? It adds load to the town while it runs.",
    ),
    Key(
        "t",
        "act('t')",
        "tmux",
        "Kill dead tmux sessions on the town socket",
        "Actions",
        run=EngineFacade.cleanup_tmux,
        rank=13,
        title="Clean up tmux sessions",
        confirm="Kill the tmux sessions of dead polecats on the town's socket?",
        preview=EngineFacade.preview_cleanup,
        confirm_with="Kill {count} dead tmux sessions on the town's socket: {sessions}?",
    ),
)
# `gt-tui --replay FILE` only (gt_tui.ui.replay): these step through the recording; `space`
# there plays or pauses it (the same action as live, the replay's app overrides it).
REPLAY_KEYS: tuple[Key, ...] = (
    Key("space", "toggle_pause", "play", "Play or pause the replay", "Replay", rank=2),
    Key("left", "replay_step(-1)", "back", "One record back (pauses)", "Replay", rank=3),
    Key("right", "replay_step(1)", "step", "One record forward (pauses)", "Replay", rank=3),
    Key("home", "replay_jump(0)", "start", "Jump to the first record", "Replay", show=False),
    Key("end", "replay_jump(-1)", "end", "Jump to the last record", "Replay", show=False),
    Key(
        "minus",
        "replay_speed(-1)",
        "slower",
        "Slower: 8×, 4×, 2×, 1×, 0.5×",
        "Replay",
        rank=4,
        shown_as="-",
    ),
    Key(
        "plus",
        "replay_speed(1)",
        "faster",
        "Faster: 0.5×, 1×, 2×, 4×, 8×",
        "Replay",
        rank=4,
        also=("equals_sign",),
        shown_as="+",
    ),
)
ZOOM_HELP = "Zoom a metric: chart with thresholds, breakdown by rig or role, slowest samples"
MUTATING = {key.key: key for key in KEYS if key.mutating}
REFUSED_READ_ONLY = {key.key: key for key in KEYS if key.refused_read_only}


def help_rows() -> list[tuple[str, str, Key]]:
    """(keys, what they do, key) for the help screen; the five zoom keys make one row."""
    rows = []
    for key in KEYS:
        if key.action == "zoom(1)":
            rows.append(("1-5", ZOOM_HELP, key))
        elif not key.action.startswith("zoom("):
            rows.append((key.display, key.help, key))
    return rows


def rank_of(action: str) -> int:
    """The footer rank of the key that runs `action` (last, for an action not in `KEYS`)."""
    return next((key.rank for key in (*KEYS, *REPLAY_KEYS) if key.action == action), LAST_RANK)


LAST_RANK = 99  # Textual's own footer keys (the command palette's ^p): shown when there is room


def replay_bindings() -> list[BindingType]:
    """The replay's bindings: the live ones, then `REPLAY_KEYS` not bound there already."""
    found = bindings()
    taken = {key.key for key in KEYS}
    for key in REPLAY_KEYS:
        if key.key not in taken:
            shown = key.shown_as or None
            found.append(Binding(key.key, key.action, key.label, show=key.show, key_display=shown))
            found += [Binding(more, key.action, key.label, show=False) for more in key.also]
    return found


def bindings() -> list[BindingType]:
    """The app's bindings, built from `KEYS`; the footer shows the five zoom keys as one `1-5`.
    A key's `also` keys are priority bindings: ctrl+c quits from any screen, as in k9s or htop
    (Textual's own ctrl+c only says to press ctrl+q)."""
    found: list[BindingType] = []
    for key in KEYS:
        shown = "1-5" if key.action == "zoom(1)" else key.shown_as or None
        found.append(
            Binding(key.key, key.action, key.label, show=key.show, key_display=shown, id=key.action)
        )
        found += [
            Binding(more, key.action, key.label, show=False, priority=True) for more in key.also
        ]
    return found
