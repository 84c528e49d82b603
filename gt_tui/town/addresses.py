"""gt's agent addresses in their canonical form, so one role is one group.

Newer gt canonicalises addresses (`normalizeAddress`, `agentaddr`): the town-level agents
are `mayor/` and `deacon/`, with the trailing slash; older rows say `mayor`, `deacon`, or a
rig-scoped `<rig>/deacon`. Everything else is kept as written.
"""

from __future__ import annotations

TOWN_AGENTS = ("mayor", "deacon")
MAYOR, DEACON = "mayor/", "deacon/"


def canonical_address(address: str) -> str:
    """`deacon`, `deacon/` and `<rig>/deacon` are all `deacon/` (the same for the mayor)."""
    parts = address.split("/")
    if len(parts) == 1 and parts[0] in TOWN_AGENTS:
        return f"{parts[0]}/"
    if len(parts) == 2 and parts[1] in TOWN_AGENTS:
        return f"{parts[1]}/"
    return address
