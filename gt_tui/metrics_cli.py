"""`gt-tui metrics export [--format prometheus|json]`: one refresh, printed as the series
`gt-tui serve` exposes on /metrics.

`prometheus` is the Prometheus text format (prometheus_client's `generate_latest` over a
private registry, as /metrics); `json` is the same series as a flat document:
{"schema": 1, "generated_at", "town", "series": [{"name", "labels", "value"}]}. (The whole
snapshot document is `gt-tui --snapshot --format json`.) Exit 2, after printing, when the
database did not answer, as `--snapshot` does.
"""

from __future__ import annotations

import argparse
import json
import sys

from gt_tui import modes
from gt_tui.serve import add_town_options
from gt_tui.subcommands import Subparsers, add_subcommand

FORMATS = ("prometheus", "json")
FLAT_SCHEMA = 1


def add_metrics_parser(
    subparsers: Subparsers,
) -> argparse.ArgumentParser:
    """Register `metrics` and its one action, `export`."""
    metrics = subparsers.add_parser("metrics", help="the town's figures for other tools")
    actions = metrics.add_subparsers(dest="metrics_action", metavar="ACTION", required=True)
    text = "print one refresh as the Prometheus series of `gt-tui serve` (read-only)"
    export = add_subcommand(actions, "export", text)
    export.add_argument(
        "--format",
        dest="metrics_format",  # a dest of its own: the snapshot's `--format` is another
        choices=FORMATS,
        default="prometheus",
        help="output format (default: prometheus)",
    )
    add_town_options(export)
    export.set_defaults(run=run_export)
    return metrics


def run_export(args: argparse.Namespace) -> int:
    """Print one refresh; 2 when the database did not answer."""
    from gt_tui.export.json import rfc3339
    from gt_tui.export.prometheus import flat_series, render_prometheus

    with modes.engine_session(args, read_only=True) as engine:
        snapshot = modes._first_refresh(
            engine, args.demo
        )  # as --snapshot: the demo waits for samples
    if args.metrics_format == "json":
        doc = {
            "schema": FLAT_SCHEMA,
            "generated_at": rfc3339(snapshot.generated_at),
            "town": snapshot.town.name,
            "series": flat_series(snapshot),
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(render_prometheus(snapshot))
    sys.stdout.flush()
    if snapshot.dolt.error:
        print(f"gt-tui: {snapshot.dolt.endpoint}: {snapshot.dolt.error}", file=sys.stderr)
        return 2
    return 0
