"""Text from a town never drives the terminal (issue 9, item 1).

A town whose name, rig name, message subject and recipient, patrol title and assignee,
convoy title, event actor, polecat directory, tmux session name and settings file all hold
an escape sequence that would retitle the terminal, clear it and turn it red, plus a bidi
override and a C1 CSI. Every view is read as a user gets it (the CLI as a subprocess, the
console through Pilot over the real engine) and must carry none of it raw, on SQLite and on
the MySQL protocol. The function itself is tested in test_safe_text.py.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import clean_env, tmux
from snapshots_fixtures import svg_text, wait_for
from sqlserver import SQLServer
from towns import BuiltTown, ago, build_town

from gt_tui.engine.facade import EngineFacade
from gt_tui.modes import open_engine
from gt_tui.safe_text import is_safe, safe_text
from gt_tui.town.tmux import list_sessions
from gt_tui.ui.app import GtTuiApp
from gt_tui.ui.screens.zoom import ZoomScreen

pytestmark = pytest.mark.faults

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
EVIL = HOSTILE + "\u202e\x9b"  # and a bidi override, and a C1 CSI
SHOWN = safe_text(EVIL)
CLI_TIMEOUT = 60.0
# Written out here, not taken from the module: what no output may hold. A view's own line
# breaks are allowed (`LAYOUT_OK`); a value (JSON, XML text, audit) may hold no control at all.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ufffe\uffff"
LAYOUT_OK = re.compile(f"[{_CONTROLS}]")
VALUE_OK = re.compile(f"[\t\n{_CONTROLS}]")
BACKENDS = ["sqlite", pytest.param("mysql", marks=pytest.mark.mariadb)]


def assert_clean(text: str, pattern: re.Pattern[str] = LAYOUT_OK) -> None:
    found = pattern.search(text)
    assert found is None, f"raw {found.group()!r} at {found.start()}: {text[:200]!r}"


def values(data: Any) -> Iterator[str]:
    """Every string in parsed JSON, keys included."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from values(value)
    elif isinstance(data, list):
        for item in data:
            yield from values(item)


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m gt_tui ARGS` in a clean environment; bytes, so nothing is decoded away."""
    clean = clean_env(home, {"XDG_STATE_HOME": str(home / ".state"), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "gt_tui", *args],
        cwd=home,
        env=clean,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def decoded(raw: bytes) -> str:
    text = raw.decode("utf-8")  # a lone surrogate or a stray byte would fail here
    assert "Traceback" not in text
    return text


# ---------------------------------------------------------------- the hostile town


def fill_hostile(t: BuiltTown, now: datetime) -> None:
    """Mail, a patrol, a convoy, events and a polecat directory holding EVIL; the `beads`
    rig renamed to `beads` + EVIL (directory and rigs.json; its database keeps its name)."""
    hq, rig = t.writer(), t.writer("gastown")
    mail = hq.send_mail(
        sender="deacon", recipient=f"{EVIL}/witness", subject=f"subject {EVIL}",
        created_at=ago(now, 60), id="hq-evil-mail",
    )  # fmt: skip
    hq.ack_mail(mail, f"{EVIL}/witness", ago(now, 57))
    wisp = hq.open_patrol(EVIL, f"gastown/{EVIL}", ago(now, 120))
    hq.close_patrol(wisp, ago(now, 100), f"summary {EVIL}")
    rig.add_issue(
        t.databases["gastown"], "gt-evil", f"task {EVIL}", created_at=ago(now, 400),
        status="in_progress", assignee=f"gastown/polecats/{EVIL}",
    )  # fmt: skip
    hq.create_convoy("hq-cv-evil", f"Work: {EVIL}", ["gt-evil"], created_at=ago(now, 300))
    t.event("spawn", EVIL, {"rig": "gastown", "polecat": EVIL}, ago(now, 90))
    t.event("session_start", f"gastown/polecats/{EVIL}", {"role": EVIL}, ago(now, 87))
    (t.root / "gastown" / "polecats" / EVIL).mkdir(parents=True)
    rigs_file = t.root / "mayor" / "rigs.json"
    rigs = json.loads(rigs_file.read_text())
    rigs["rigs"][f"beads{EVIL}"] = rigs["rigs"].pop("beads")
    rigs_file.write_text(json.dumps(rigs))
    (t.root / "beads").rename(t.root / f"beads{EVIL}")


@pytest.fixture(params=BACKENDS)
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BuiltTown]:
    server: SQLServer | None = None
    if request.param == "mysql":
        server = request.getfixturevalue("mariadb")
    t = build_town(tmp_path / "town", request.param, server=server, name=f"town{EVIL}")
    try:
        fill_hostile(t, datetime.now(UTC))
        yield t
    finally:
        t.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


# ---------------------------------------------------------------- the CLI's views


def test_text_snapshot_carries_no_control_byte(hostile: BuiltTown, home: Path) -> None:
    done = run_cli("--snapshot", "--town", str(hostile.root), home=home)
    out, err = decoded(done.stdout), decoded(done.stderr)
    assert done.returncode == 0, err
    assert_clean(out)
    assert_clean(err)
    assert f"town{SHOWN}" in out  # shown, visibly, not dropped


def test_json_values_hold_no_control_character(hostile: BuiltTown, home: Path) -> None:
    done = run_cli("--snapshot", "--format", "json", "--town", str(hostile.root), home=home)
    assert done.returncode == 0, decoded(done.stderr)
    data = json.loads(decoded(done.stdout))
    for value in values(data):
        assert_clean(value, VALUE_OK)
    assert data["town"]["name"] == f"town{SHOWN}"
    assert f"beads{SHOWN}" in data["town"]["rigs"]
    assert data["metrics"]["patrol_cycle"]["count"] == 1  # the hostile rows were read
    assert data["metrics"]["mail_lag"]["count"] == 1
    assert data["metrics"]["polecat_spawn"]["count"] == 1


def test_svg_is_well_formed_xml_without_controls(hostile: BuiltTown, home: Path) -> None:
    done = run_cli("--snapshot", "--format", "svg", "--town", str(hostile.root), home=home)
    assert done.returncode == 0, decoded(done.stderr)
    svg = decoded(done.stdout)
    root = ET.fromstring(svg)  # raises on any XML-invalid character
    for element in root.iter():
        for text in (*element.attrib.values(), element.text or "", element.tail or ""):
            assert_clean(text, LAYOUT_OK)
    assert "pwned" in "".join(root.itertext())


def test_audit_line_of_an_action_holds_no_control(hostile: BuiltTown, home: Path) -> None:
    done = run_cli("--town", str(hostile.root), "cache", "clear", "--yes", home=home)
    assert done.returncode == 0, decoded(done.stderr)
    assert_clean(decoded(done.stdout))
    assert_clean(decoded(done.stderr))
    raw = decoded((home / ".state" / "gt-tui" / "audit.jsonl").read_bytes())
    assert_clean(raw)
    entry = json.loads(raw.splitlines()[-1])
    for value in values(entry):
        assert_clean(value, VALUE_OK)
    assert entry["town"] == f"town{SHOWN}"


def test_hostile_settings_key_is_one_visible_line(hostile: BuiltTown, home: Path) -> None:
    settings = hostile.root / "settings" / "gt-tui.toml"
    key = HOSTILE.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")  # TOML escapes
    settings.write_text(f'[ui]\n"{key}" = 1\n')
    done = run_cli("--snapshot", "--town", str(hostile.root), home=home)
    err = decoded(done.stderr)
    assert done.returncode == 2
    assert_clean(err)
    assert len(err.splitlines()) == 1 and "unknown setting 'ui.␛]0;pwned␇" in err


def test_hostile_settings_value_is_one_visible_line(hostile: BuiltTown, home: Path) -> None:
    settings = hostile.root / "settings" / "gt-tui.toml"
    settings.write_text('[ui]\nrefresh_interval = "\\u001b[2J\\u202e"\n')
    done = run_cli("--snapshot", "--town", str(hostile.root), home=home)
    err = decoded(done.stderr)
    assert done.returncode == 2
    assert_clean(err)
    assert len(err.splitlines()) == 1 and "ui.refresh_interval" in err and "␛[2J" in err


def test_file_content_quoted_in_an_error_is_visible(tmp_path: Path, home: Path) -> None:
    t = build_town(tmp_path / "town", "sqlite")
    (t.root / "mayor" / "rigs.json").write_text(json.dumps({"rigs": {EVIL: 5}}))
    done = run_cli("--snapshot", "--town", str(t.root), home=home)
    err = decoded(done.stderr)
    assert done.returncode == 2
    assert_clean(err)
    assert len(err.splitlines()) == 1 and f"rig '{SHOWN}' must be an object" in err


def test_a_source_error_quoting_a_hostile_path_is_recorded_safely(
    tmp_path: Path, home: Path
) -> None:
    t = build_town(tmp_path / f"town{EVIL}", "sqlite")
    (t.root / ".events.jsonl").unlink()
    (t.root / ".events.jsonl").mkdir()  # the events source fails, naming its path
    done = run_cli("--snapshot", "--format", "json", "--town", str(t.root), home=home)
    assert done.returncode == 0, decoded(done.stderr)
    data = json.loads(decoded(done.stdout))
    for value in values(data):
        assert_clean(value, VALUE_OK)
    assert data["town"]["root"] == safe_text(str(t.root))
    events = [e["message"] for e in data["errors"] if e["source"] == "events"]
    assert len(events) == 1 and f"town{SHOWN}" in events[0]


def test_tmux_session_name_is_shown_safely(tmp_path: Path, home: Path, tmux_socket: str) -> None:
    t = build_town(tmp_path / "town", "sqlite")
    tmux(tmux_socket, "new-session", "-d", "-s", f"gt-{EVIL}", "sleep 300")
    names = [s.name for s in list_sessions(tmux_socket)]
    assert len(names) == 1 and is_safe(names[0]) and "\\u202e" in names[0]
    for fmt in ("text", "json"):
        done = run_cli(
            "--snapshot", "--format", fmt, "--town", str(t.root), home=home,
            env={"GT_TMUX_SOCKET": tmux_socket},
        )  # fmt: skip
        assert done.returncode == 0, decoded(done.stderr)
        assert_clean(decoded(done.stdout))
    listed = run_cli(
        "--town", str(t.root), "tmux", "list", "--format", "json", home=home,
        env={"GT_TMUX_SOCKET": tmux_socket},
    )  # fmt: skip
    assert listed.returncode == 0, decoded(listed.stderr)
    assert_clean(decoded(listed.stdout))
    assert "\\\\u202e" in decoded(listed.stdout)  # the session is listed, escaped visibly


# ---------------------------------------------------------------- the console


async def test_console_and_zooms_hold_no_raw_escape(
    hostile: BuiltTown, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".state"))
    engine = open_engine(hostile.root, argparse.Namespace(set=[]), mode="live", read_only=True)
    app = GtTuiApp(EngineFacade(engine), refresh_interval=3600)
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_for(pilot, lambda: app.refreshes >= 1)
            mail_row = "subject ␛"  # the worst message, once drawn (its width varies)
            await wait_for(pilot, lambda: mail_row in svg_text(app.export_screenshot()), 200)
            screens = [app.export_screenshot()]
            for key in "12345":
                await pilot.press(key)
                await wait_for(pilot, lambda: isinstance(app.screen, ZoomScreen))
                await pilot.pause()
                screens.append(app.export_screenshot())
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, ZoomScreen))
            # The app's 1 s broadcast can land while run_test tears the screens down and
            # fail on a widget already gone (a UI race, not this test's subject): stop it.
            for screen in app.screen_stack:
                screen.ready = False
    finally:
        engine.close()
    for svg in screens:
        root = ET.fromstring(svg)
        for text in root.itertext():
            assert_clean(text)
    dashboard, patrols = svg_text(screens[0]), svg_text(screens[5])
    assert f"town{SHOWN}" in dashboard and mail_row in dashboard
    assert "mol-␛" in patrols  # a patrol title, in its zoom
