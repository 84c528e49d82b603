"""The doctor's parts without a server: the check runner, the report, the exit codes, and the
checks on files and tools (real files, real subprocesses, a real SQLite town)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_gt_tui
from towns import build_town

from gt_tui.cli import build_parser
from gt_tui.doctor import town_checks
from gt_tui.doctor.checks import CHECKS
from gt_tui.doctor.context import DoctorContext, dsn
from gt_tui.doctor.core import FAIL, PASS, SKIP, WARN, Check, Outcome, Skip, exit_code, run_checks
from gt_tui.doctor.report import WIDTH, fit, redact, render_text
from gt_tui.doctor.server_checks import check_time_zone, check_wait_timeout
from gt_tui.town.endpoint import Endpoint
from gt_tui.town.model import Town
from gt_tui.town.server import ServerStatus

CLI_TIMEOUT = 60.0


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def doctor(argv: list[str]) -> tuple[int, str]:
    """`gt-tui doctor ...` in this process, its exit code and stdout."""
    args = build_parser().parse_args(["doctor", *argv])
    out = io.StringIO()
    return args.run(args, out), out.getvalue()


# ---- the runner ----------------------------------------------------------------------


def test_a_check_whose_need_failed_skips_with_the_first_reason() -> None:
    def boom(ctx: object) -> Outcome:
        raise RuntimeError("bug in a check")

    def skipper(ctx: object) -> Outcome:
        raise Skip("nothing to look at")

    checks = (
        Check("a", lambda ctx: Outcome(FAIL, "a broke", "fix a"), blocks="a is down"),
        Check("b", lambda ctx: Outcome(PASS, "fine"), ("a",), blocks="b is down"),
        Check("c", lambda ctx: Outcome(PASS, "fine"), ("b",)),
        Check("d", boom),
        Check("e", skipper),
        Check("f", lambda ctx: Outcome(WARN, "meh", "look"), ("d",)),
    )

    results = {r.name: r for r in run_checks(checks, None)}

    assert results["b"].detail == "skipped: a is down"
    assert results["c"].detail == "skipped: a is down"  # not "b is down": b never ran
    assert results["d"].status == FAIL and "RuntimeError: bug in a check" in results["d"].detail
    assert results["e"].status == SKIP and results["e"].detail == "skipped: nothing to look at"
    assert results["f"].status == SKIP
    assert exit_code(list(results.values())) == 1
    assert exit_code([results["e"]]) == 0


def test_every_need_names_an_earlier_check() -> None:
    seen: set[str] = set()
    for check in CHECKS:
        assert set(check.needs) <= seen, check.name
        seen.add(check.name)


def test_report_fits_and_hides_secrets() -> None:
    long = fit("x" * 300)
    assert len(long) == WIDTH and long.endswith("…")
    ep = Endpoint("db.example", 3307, "ops", "s3cret")
    assert dsn(ep) == "ops:****@db.example:3307" and "s3cret" not in dsn(ep)
    assert dsn(Endpoint()) == "root@127.0.0.1:3307"
    results = run_checks((Check("x", lambda ctx: Outcome(FAIL, "saw s3cret", "s3cret!")),), None)
    shown = render_text({"name": None}, redact(results, ["s3cret"]))
    assert "s3cret" not in shown and "saw ****" in shown


# ---- exit codes ----------------------------------------------------------------------


def test_no_town_is_a_failed_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("GT_TOWN_ROOT", "GT_ROOT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))

    code, shown = doctor(["--format", "json"])

    assert code == 1
    report = json.loads(shown)
    assert report["ok"] is False and report["town"]["root"] is None
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses["town"] == FAIL
    assert {statuses[n] for n in statuses if n not in ("town", "gt")} == {SKIP}


def run_cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_gt_tui(*argv, cwd=cwd, env={**os.environ, "HOME": str(cwd)}, timeout=CLI_TIMEOUT)


@pytest.mark.parametrize(
    "argv", [("--format", "xml"), ("--set", "nosuch.key=1"), ("--set", "dolt.max_open_conns")]
)
def test_bad_arguments_cannot_run(tmp_path: Path, argv: tuple[str, ...]) -> None:
    args = ("doctor", *argv) if argv[0] == "--format" else (*argv, "doctor")
    done = run_cli(*args, cwd=tmp_path)

    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_the_doctor_never_loads_textual(tmp_path: Path) -> None:
    code = (
        "import sys; from gt_tui.cli import main; main(['doctor']);print('textual' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert done.stdout.splitlines()[-1] == "False", done.stdout + done.stderr


# ---- a SQLite town, events, gt ---------------------------------------------------------


def test_a_sqlite_town_on_the_newer_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = build_town(tmp_path / "town", "sqlite", "v1.0.5")
    built.db.close()
    monkeypatch.chdir(built.root / "gastown")  # found from inside, by the working directory

    code, shown = doctor([])

    checks = {line.split()[1]: line for line in shown.splitlines()[1:-1] if line[:1] != " "}
    assert "found by current directory: " in checks["town"]
    assert checks["schema"].startswith("✓") and "v1.0.5" in checks["schema"]
    assert checks["databases"].startswith("✓")
    assert "skipped: a SQLite (demo) town has no server" in checks["wait_timeout"]
    assert code == 0, shown


def events_ctx(tmp_path: Path) -> DoctorContext:
    built = build_town(tmp_path / "town", "sqlite")
    built.db.close()
    return DoctorContext(explicit=built.root, env={})


def test_events_file_states(tmp_path: Path) -> None:
    ctx = events_ctx(tmp_path)
    path = ctx.town().events_file
    path.unlink(missing_ok=True)
    assert town_checks.check_events(ctx).status == WARN
    path.write_text('{"ts": "2026-03-02T12:00:00Z", "type": "sling", "actor": "mayor"}\n')
    outcome = town_checks.check_events(ctx)
    assert outcome.status == PASS and "last sling at 2026-03-02 12:00:00Z" in outcome.detail
    path.write_text("not json\n")
    assert town_checks.check_events(ctx).status == WARN
    if os.geteuid() != 0:  # root reads anything
        path.chmod(0)
        assert town_checks.check_events(ctx).status == FAIL


def fake_gt(tmp_path: Path, body: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "gt"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


def test_gt_on_path_says_its_version(tmp_path: Path) -> None:
    env = fake_gt(tmp_path, 'echo "gt version v1.2.1 (abc123)"')
    outcome = town_checks.check_gt(DoctorContext(env=env, cwd=tmp_path))
    assert outcome.status == PASS and outcome.detail.endswith(": gt version v1.2.1 (abc123)")
    assert town_checks.check_gt(DoctorContext(env={"PATH": str(tmp_path)})).status == WARN


def test_a_hanging_gt_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = fake_gt(tmp_path, "exec sleep 60")
    monkeypatch.setattr(town_checks, "GT_VERSION_TIMEOUT", 0.5)
    outcome = town_checks.check_gt(DoctorContext(env=env, cwd=tmp_path))
    assert outcome.status == FAIL and "did not finish within 0.5s" in outcome.detail


# ---- decisions on the server's variables (no Dolt binary exists: its answers, stated) ---


class StatusContext(DoctorContext):
    """A context over a server town whose server answered `answer` (no Dolt binary exists)."""

    def __init__(self, root: Path, answer: ServerStatus, **overrides: str) -> None:
        super().__init__(explicit=root, env={}, overrides=overrides)
        self.answer = answer
        self.fixed_town = Town(root, "t", (), "hq", Endpoint(), "sock")

    def town(self) -> Town:
        return self.fixed_town

    def status(self) -> ServerStatus:
        return self.answer


def test_wait_timeout_against_the_pool_and_the_refresh(tmp_path: Path) -> None:
    gt_dolt = ServerStatus("dolt", "1.50.0", wait_timeout=30)
    outcome = check_wait_timeout(StatusContext(tmp_path, gt_dolt))
    assert outcome.status == PASS
    assert "after 30 s; pool keeps 20 s (capped from 600 s)" in outcome.detail
    slow = StatusContext(tmp_path, gt_dolt, **{"ui.refresh_interval": "30"})
    outcome = check_wait_timeout(slow)
    assert outcome.status == WARN and "GT_DOLT_WAIT_TIMEOUT" in outcome.hint


@pytest.mark.parametrize(
    ("zone", "system", "status"),
    [
        ("+00:00", "CET", PASS),
        ("SYSTEM", "UTC", PASS),
        ("SYSTEM", "CET", WARN),
        ("-05:00", "UTC", WARN),
    ],
)
def test_time_zone(tmp_path: Path, zone: str, system: str, status: str) -> None:
    answer = ServerStatus("dolt", "1.50.0", 30, 1000, zone, system)
    assert check_time_zone(StatusContext(tmp_path, answer)).status == status


def test_the_town_line_says_how_it_was_found(tmp_path: Path) -> None:
    ctx = events_ctx(tmp_path)
    root = ctx.town().root
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"GT_TOWN_ROOT": str(root), "HOME": str(tmp_path)}
    outcome = town_checks.check_town(DoctorContext(env=env, cwd=elsewhere))
    assert outcome.status == PASS and outcome.detail == f"found by GT_TOWN_ROOT: {root}"
    outcome = town_checks.check_town(DoctorContext(env={"HOME": str(tmp_path)}, cwd=elsewhere))
    assert outcome.status == FAIL and "--town PATH" in outcome.hint


def test_a_malformed_town_file_fails_once(tmp_path: Path) -> None:
    ctx = events_ctx(tmp_path)
    rigs = ctx.location().root / "mayor" / "rigs.json"
    rigs.write_text("{not json")
    code, shown = doctor(["--town", str(ctx.location().root), "--format", "json"])
    checks = {c["name"]: c for c in json.loads(shown)["checks"]}
    assert code == 1
    assert checks["rigs"]["status"] == FAIL and str(rigs) in checks["rigs"]["detail"]
    assert checks["endpoint"]["detail"] == "skipped: the town's files could not be read"
    assert [c for c in checks.values() if c["status"] == FAIL] == [checks["rigs"]]


def test_a_source_error_in_a_check_is_one_failed_line() -> None:
    from gt_tui.errors import SourceUnavailable

    def lost(ctx: object) -> Outcome:
        raise SourceUnavailable("cannot connect: Connection refused")

    (result,) = run_checks((Check("x", lost),), None)
    assert result.status == FAIL and result.detail == "cannot connect: Connection refused"


def test_set_applies_to_the_doctor(tmp_path: Path) -> None:
    root = events_ctx(tmp_path).location().root
    args = build_parser().parse_args(
        ["--set", "ui.refresh_interval=5", "doctor", "--town", str(root)]
    )
    out = io.StringIO()
    args.run(args, out)
    assert "✓ settings     changed: 1 by override" in out.getvalue()
