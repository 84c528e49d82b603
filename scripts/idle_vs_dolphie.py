"""The wall monitor beside Dolphie (a Textual MySQL monitor), both idle on the same server.

Starts a private MariaDB (as the tests do: tests/sqlserver.py), the live demo town on it
(`gt-tui sandbox run --db mysql://root@127.0.0.1:PORT`, its agents in their own process),
then in two 200×50 sessions of a private tmux server `gt-tui --wall --town ROOT --refresh 1`
and `dolphie ... --refresh-interval 1` against that server. After a warm-up it reads each
console's CPU (psutil user+system time of the process and its children) over the same
interval, and its RSS; prints both and the ratio. Everything it started is stopped at the end.

Dolphie runs from its own virtualenv, as its Textual may differ from ours: `--dolphie PATH`
names its executable; otherwise the script uses, or makes with `pip install dolphie`,
`$XDG_CACHE_HOME/gt-tui/dolphie-venv` (~/.cache when unset) and says which.

    .venv/bin/python scripts/idle_vs_dolphie.py [--seconds 60] [--warm-up 10] [--dolphie PATH]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from wall_tmux import GT_TUI, PrivateTmux, SandboxRun, cpu_percent, read, wait_for_screen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

SIZE = (200, 50)
INSTALL_TIMEOUT_S = 600
SCREEN_TIMEOUT_S = 90


def dolphie_venv() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "gt-tui" / "dolphie-venv"


def find_dolphie(given: str | None) -> tuple[Path, str]:
    """Dolphie's executable and how it was found."""
    if given:
        return Path(given), f"given with --dolphie: {given}"
    venv = dolphie_venv()
    exe = venv / "bin" / "dolphie"
    if exe.exists():
        return exe, f"from its own virtualenv {venv}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "dolphie"]
    subprocess.run(pip, check=True, timeout=INSTALL_TIMEOUT_S)
    return exe, f"installed now with `pip install dolphie` into {venv}"


def version_of(exe: Path) -> str:
    pip = exe.with_name("pip")
    if not pip.exists():
        return "version unknown"
    shown = subprocess.run(
        [str(pip), "show", "dolphie", "textual"], capture_output=True, text=True, timeout=60
    )
    pairs = [
        line.split(": ", 1)[1]
        for line in shown.stdout.splitlines()
        if line.startswith(("Name", "Version"))
    ]
    return ", ".join(f"{n} {v}" for n, v in zip(pairs[::2], pairs[1::2], strict=False))


def measure(args: argparse.Namespace, dolphie: Path) -> dict[str, tuple[float, int, int]]:
    from sqlserver import start_server

    server = start_server("mariadb", "/usr/sbin/mariadbd")
    port = server.endpoint.port
    try:
        with (
            SandboxRun(db=f"mysql://root@127.0.0.1:{port}") as town,
            PrivateTmux("gttui-vs") as tmux,
        ):
            procs = {
                "gt-tui": tmux.start("gt", f"{GT_TUI} --wall --town {town.root} --refresh 1", SIZE),
                "dolphie": tmux.start(
                    "dolphie", f"{dolphie} -u root -h 127.0.0.1 -P {port} -r 1", SIZE
                ),
            }
            for session, text in (("gt", "Bottleneck"), ("dolphie", "Dolphie")):
                if not wait_for_screen(tmux, session, text, SCREEN_TIMEOUT_S):
                    screen = tmux.capture(session).strip().splitlines()[-3:]
                    raise RuntimeError(f"{session} did not come up: {' | '.join(screen)}")
            time.sleep(args.warm_up)
            start = {name: read(proc) for name, proc in procs.items()}
            time.sleep(args.seconds)
            end = {name: read(proc) for name, proc in procs.items()}
    finally:
        server.stop()
    return {
        name: (cpu_percent(start[name], end[name]), start[name].rss, end[name].rss)
        for name in procs
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured interval")
    parser.add_argument("--warm-up", type=float, default=10.0, help="before measuring")
    parser.add_argument("--dolphie", help="Dolphie's executable (default: its own venv)")
    args = parser.parse_args(argv)
    try:
        dolphie, how = find_dolphie(args.dolphie)
        print(f"dolphie: {how} ({version_of(dolphie)})", flush=True)
        result = measure(args, dolphie)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        print(f"idle_vs_dolphie: {error}", file=sys.stderr)
        return 1
    print(f"both 200x50, 1 s refresh, same MariaDB and live demo town, {args.seconds:.0f} s "
          f"after {args.warm_up:.0f} s warm-up:")  # fmt: skip
    for name, (cpu, rss0, rss1) in result.items():
        rss = f"RSS {rss0 / 2**20:.0f} -> {rss1 / 2**20:.0f} MiB"
        print(f"  {name:8} CPU {cpu:5.1f}% of one core, {rss}")
    ratio = result["dolphie"][0] / max(1e-9, result["gt-tui"][0])
    print(f"  ratio (dolphie / gt-tui CPU): {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
