"""The sandbox's parts without its agents running: load data, state file, nudges, the sling
queue format, mail acks, ready work, DemoTown's argument checks and the `sandbox` CLI.

The town here is a small static sandbox (SQLite, real git) built by the scale builder; an
`Agent` is opened on it in-process, exactly as an agent process opens it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gt_tui.cli import main
from gt_tui.engine.collectors import mail_samples
from gt_tui.errors import GtTuiError
from gt_tui.health import METRIC_BY_KEY
from gt_tui.sandbox import load
from gt_tui.sandbox.agents import queue
from gt_tui.sandbox.agents.mail import MailDesk, pending_mail
from gt_tui.sandbox.agents.nudge import NudgeBox, nudge
from gt_tui.sandbox.agents.ops import ready_work, set_status
from gt_tui.sandbox.agents.runtime import Agent
from gt_tui.sandbox.demo import DemoTown
from gt_tui.sandbox.scale import build_scale_town
from gt_tui.town import beads
from gt_tui.town.sling import list_queue


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    """An agent (address `tester/`) on a small static sandbox town."""
    town = build_scale_town(tmp_path / "town", "small", seed=7)
    made = Agent(town.root, "tester/", "1")
    try:
        yield made
    finally:
        made.stop.set()
        made.close()


# ---- load profiles and the state file ------------------------------------------------------


def test_profiles_aim_at_the_thresholds() -> None:
    """Light stays inside every healthy band it drives; heavy pushes two metrics past them."""
    light, heavy = load.PROFILES["light"], load.PROFILES["heavy"]
    mail, patrol = METRIC_BY_KEY["mail_lag"].threshold, METRIC_BY_KEY["patrol_cycle"].threshold
    assert light.ack_delay_s[1] < mail.warning
    assert light.patrol_cycle_s[1] < patrol.warning
    assert heavy.ack_delay_s[0] > mail.danger
    assert heavy.patrol_cycle_s[0] > patrol.warning
    slots = load.DEMO_SETTINGS["polecat"]["max_concurrent"]
    assert heavy.beads_per_convoy[0] / heavy.plan_every_s[1] * heavy.polecat_work_s[0] > slots


def test_state_file_round_trip_and_live_change(tmp_path: Path) -> None:
    load.write_state(tmp_path, load="light", seed=3)
    watch = load.LoadWatch(tmp_path)
    assert watch.current().name == "light"
    load.set_level(tmp_path, "heavy")
    assert watch.current().name == "heavy"
    assert load.read_state(tmp_path) == {"load": "heavy", "seed": 3}


def test_set_level_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(GtTuiError, match="not a running"):
        load.set_level(tmp_path, "light")
    load.write_state(tmp_path, load="light")
    with pytest.raises(GtTuiError, match="unknown load 'extreme'"):
        load.set_level(tmp_path, "extreme")
    load.write_state(tmp_path, stopping=True)
    with pytest.raises(GtTuiError, match="not a running"):
        load.set_level(tmp_path, "heavy")


# ---- nudges ------------------------------------------------------------------------------


def test_nudge_wakes_the_listener_and_is_dropped_without_one(tmp_path: Path) -> None:
    assert nudge(tmp_path, "nobody/") is False
    box = NudgeBox(tmp_path, "gastown/witness")
    try:
        assert box.wait(0) is False
        assert nudge(tmp_path, "gastown/witness") is True
        assert box.wait(5) is True
        assert box.wait(0) is False  # drained
    finally:
        box.close()
    assert not box.path.exists()


# ---- the sling queue ----------------------------------------------------------------------


def test_sling_context_reads_back_through_the_console_queue(agent: Agent) -> None:
    rig = agent.town.rigs[0]
    context = queue.enqueue(agent, rig, f"{rig.prefix}-work0001")
    item = next(i for i in list_queue(agent.db, agent.town, agent.schema) if i.id == context)
    assert (item.work_bead, item.rig, item.enqueued_from) == (
        f"{rig.prefix}-work0001",
        rig.name,
        "description",
    )
    assert abs((datetime.now(UTC) - item.enqueued_at).total_seconds()) < 60
    assert f"{rig.prefix}-work0001" in queue.scheduled_work(agent)
    assert queue.claim(agent, context) is True
    assert queue.claim(agent, context) is False  # taken: a second dispatcher must skip it
    queue.finish(agent, context, "dispatched to test")
    assert f"{rig.prefix}-work0001" not in queue.scheduled_work(agent)


def test_context_description_is_the_documented_lines() -> None:
    text = queue.context_description("gt-abc", "gastown", "2026-02-17T12:00:00Z")
    assert text.splitlines() == [
        "enqueued_at: 2026-02-17T12:00:00Z",
        "work_bead: gt-abc",
        "rig: gastown",
    ]


# ---- mail --------------------------------------------------------------------------------


def test_mail_is_acked_with_gt_labels_and_measured_by_the_console(agent: Agent) -> None:
    sender = MailDesk(agent, address="mayor/")
    mail_id = sender.send("tester/", "Check-in: how is it going?")
    assert [m.id for m in pending_mail(agent, "tester/")] == [mail_id]
    seen = []
    desk = MailDesk(agent, on_message=seen.append)
    assert desk.check_now() == 1
    assert [m.id for m in seen] == [mail_id]
    assert pending_mail(agent, "tester/") == []
    since = datetime.now(UTC) - timedelta(minutes=5)
    rows = [r for r in beads.mail_acks(agent.db, agent.schema, agent.hq, since) if r[0] == mail_id]
    samples = mail_samples(rows, since, datetime.now(UTC)).samples
    assert len(samples) == 1 and 0 <= samples[0].value <= 1  # 1-second timestamps


def test_desk_thread_acks_when_nudged(agent: Agent) -> None:
    desk = MailDesk(agent).open()
    thread = threading.Thread(target=desk.run, daemon=True)
    thread.start()
    try:
        MailDesk(agent, address="deacon").send("tester/", "Deacon patrol digest, cycle 1")
        for _ in range(100):
            if desk.acked:
                break
            agent.stop.wait(0.05)
        assert desk.acked == 1
    finally:
        agent.stop.set()
        for address in agent.listening:
            nudge(agent.root, address)
        thread.join(5)
    assert not thread.is_alive()


# ---- ready work --------------------------------------------------------------------------


def test_ready_work_skips_blocked_and_infrastructure_beads(agent: Agent) -> None:
    rig = agent.town.rigs[0]
    now = datetime.now(UTC)
    first, second = f"{rig.prefix}-ready001", f"{rig.prefix}-ready002"
    for bead in (first, second):
        agent.writer.add_issue(rig.database, bead, "work", created_at=now, priority=0)
    agent.writer.add_dependency(rig.database, second, first, "blocks")
    agent.writer.add_issue(
        rig.database,
        f"{rig.prefix}-mr000001",
        "Merge x",
        created_at=now,
        priority=0,
        labels=["gt:merge-request"],
    )
    ready = ready_work(agent, rig, 1000)
    assert first in ready and second not in ready
    assert f"{rig.prefix}-mr000001" not in ready
    set_status(agent, rig.database, first, "closed")
    assert second in ready_work(agent, rig, 1000)


# ---- DemoTown's checks and the CLI --------------------------------------------------------


def test_demo_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(GtTuiError, match="unknown load"):
        DemoTown(None, None, "extreme")
    with pytest.raises(GtTuiError, match="scheme"):
        DemoTown(None, "postgres://u@h:1", "light")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    with pytest.raises(GtTuiError, match="not empty"), DemoTown(tmp_path / "busy", None, "light"):
        pass
    assert (tmp_path / "busy" / "file").exists()  # a directory we did not make is left alone


def test_cli_builds_a_static_town(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "small"
    assert main(["sandbox", "build", "--scale", "small", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"built small town 'sandbox-small' in {target}" in out
    assert (target / "mayor" / "town.json").is_file()
    assert main(["sandbox", "build", "--scale", "small", "--dir", str(target)]) == 2
    assert "already holds a town" in capsys.readouterr().err


def test_cli_load_needs_a_running_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "load", "heavy", "--dir", str(tmp_path)]) == 2
    assert "not a running gt-tui sandbox" in capsys.readouterr().err
