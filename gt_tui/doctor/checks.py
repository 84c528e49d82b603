"""The doctor's checks, in report order: a tuple of data, each naming what it needs.

A check listed in another's `needs` that does not pass makes that other one skip, with
the first one's `blocks` text as the reason.
"""

from __future__ import annotations

import gt_tui.doctor.server_checks as server
import gt_tui.doctor.town_checks as town
from gt_tui.doctor.core import Check

CHECKS: tuple[Check, ...] = (
    Check("town", town.check_town, blocks="no town found"),
    Check("rigs", town.check_rigs, ("town",), blocks="the town's files could not be read"),
    Check("settings", town.check_settings, ("rigs",), blocks="the settings could not be read"),
    Check("endpoint", server.check_endpoint, ("rigs",), blocks="the server is not reachable"),
    Check("credentials", server.check_credentials, ("endpoint",), blocks="the login was refused"),
    Check("server", server.check_server, ("endpoint", "credentials"), blocks="no server status"),
    Check("probe", server.check_probe, ("server",)),
    Check("databases", server.check_databases, ("server",)),
    Check("schema", server.check_schema, ("server",)),
    Check("wait_timeout", server.check_wait_timeout, ("server", "settings")),
    Check("time_zone", server.check_time_zone, ("server",)),
    Check("indexes", server.check_indexes, ("server",)),
    Check("tmux", town.check_tmux, ("rigs",)),
    Check("events", town.check_events, ("rigs",)),
    Check("gt", town.check_gt),
)
