"""The sandbox's agents: real processes that do Gas Town's work on the demo town.

`mayor` plans work and convoys and dispatches slings; `polecat` runs in a tmux session on
the town socket (or as a plain process without tmux) and works one bead; `patrol` runs the
deacon, a witness or a refinery patrol loop. Each is started as
`python -m gt_tui.sandbox.agents.<name> --town <root> ...` in its own process group by
`runner`, and reads the town through the same code as the console (`load_town`).
"""
