"""A town built with TODAY's gt conventions (gastown v1.2-era), for the integration tests.

Canonical `deacon/` beside an older `deacon` row, staged convoys, a circuit-broken sling
context, a rig without `beads.prefix`; `tests/towns.py` builds the town itself.
"""

from __future__ import annotations

import json
from datetime import datetime

from builder.town import Rig
from towns import RIGS, BuiltTown, ago

# The rigs of a town built with today's conventions: `plain` has no `beads.prefix` in
# rigs.json (see `drop_rig_prefix`), so its polecat Moss runs in session `gt-Moss`.
TODAY_RIGS = (*RIGS, Rig("plain", "pl", ("Moss",)))


def drop_rig_prefix(t: BuiltTown, rig: str) -> None:
    """Remove `beads.prefix` of one rig from `mayor/rigs.json` (gt then uses `gt`)."""
    path = t.root / "mayor" / "rigs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["rigs"][rig]["beads"]["prefix"]
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def add_known_today(t: BuiltTown, now: datetime) -> None:
    """Beads written as today's gt writes them. Patrols: deacon 20 s as `deacon/` and 40 s
    as the older `deacon`, gastown/witness 45 s. Convoys: `hq-cv-o` open (tracks gt-o1,
    closed), `hq-cv-r` staged_ready (tracks gt-o2), `hq-cv-w` staged_warnings (tracks
    nothing), `hq-cv-z` closed. Sling contexts: one open, one closed `circuit-broken` 5 min
    ago (counted), one `circuit-broken` 20 min ago (before the window), one closed with
    another reason.
    """
    hq, rig = t.writer(), t.writer("gastown")
    for who, created, length in (("deacon/", 600, 20), ("deacon", 500, 40)):
        wisp = hq.open_patrol("deacon", who, ago(now, created))
        hq.close_patrol(wisp, ago(now, created - length), "all green")
    wisp = hq.open_patrol("witness", "gastown/witness", ago(now, 400))
    hq.close_patrol(wisp, ago(now, 355), "all green")
    gastown = t.databases["gastown"]
    done = ago(now, 1200)
    rig.add_issue(
        gastown, "gt-o1", "done", created_at=ago(now, 3600), status="closed", closed_at=done
    )
    rig.add_issue(gastown, "gt-o2", "next", created_at=ago(now, 3600))
    hq.create_convoy("hq-cv-o", "Open", ["gt-o1"], created_at=ago(now, 3000))
    hq.create_convoy(
        "hq-cv-r", "Staged", ["gt-o2"], created_at=ago(now, 2900), status="staged_ready"
    )
    hq.create_convoy("hq-cv-w", "Warned", [], created_at=ago(now, 2800), status="staged_warnings")
    hq.create_convoy("hq-cv-z", "Closed", ["gt-o1"], created_at=ago(now, 2700))
    hq.close_issue(t.hq, "hq-cv-z", ago(now, 1000), "all done")
    contexts = [("hq-wisp-s1", None, ""), ("hq-wisp-s2", 300, "circuit-broken")]
    contexts += [("hq-wisp-s3", 1200, "circuit-broken"), ("hq-wisp-s4", 300, "work bead closed")]
    for bead_id, closed, reason in contexts:
        fields = {"version": 1, "work_bead_id": "gt-o2", "target_rig": "gastown"}
        fields["enqueued_at"] = ago(now, 900).strftime("%Y-%m-%dT%H:%M:%SZ")
        hq.add_issue(
            t.hq, bead_id, "sling gt-o2", created_at=ago(now, 900), table="wisps",
            labels=["gt:sling-context"], description=json.dumps(fields),
        )  # fmt: skip
        if closed is not None:
            hq.close_issue(t.hq, bead_id, ago(now, closed), reason, table="wisps")
