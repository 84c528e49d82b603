"""Mail between the sandbox's agents, as gt's router does it, and an agent's mail desk.

Sending writes a message bead in hq (labels `gt:message`, `from:`, `msg-type:`,
`delivery:pending`; protocol subjects such as `polecat_done` go to the wisps table), logs a
`mail` event, then nudges the recipient. The recipient's desk thread wakes on the nudge
(or every few seconds), reads its unacked mail and acks each message with gt's phase-2
labels `delivery-acked-by:`, `delivery-acked-at:` and `delivery:acked`. A busy agent (the
load profile's `ack_delay_s`) first finishes what it is doing, so its acks come late; the
console measures that lag from the rows, as it would in a real town.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from gt_tui.sandbox.agents.nudge import NudgeBox, nudge
from gt_tui.sandbox.agents.runtime import Agent, utc_now
from gt_tui.town.beads import run_union
from gt_tui.town.db import quote_name

CHECK_EVERY_S = 3.0
log = logging.getLogger("gt_tui.sandbox")


@dataclass(frozen=True)
class Message:
    """A message bead addressed to this agent and not yet acked."""

    id: str
    subject: str
    sender: str


def pending_mail(agent: Agent, address: str) -> list[Message]:
    """Unacked, unclosed `gt:message` beads assigned to `address` (issues and wisps)."""
    q = quote_name(agent.hq)
    parts = []
    for issues, labels in agent.schema.issue_tables(agent.hq):
        parts.append(
            (
                f"SELECT m.id, m.title, m.created_by FROM {q}.{issues} m"
                f" JOIN {q}.{labels} g ON g.issue_id = m.id AND g.label = %s"
                f" WHERE m.assignee = %s AND m.status <> %s AND NOT EXISTS"
                f" (SELECT 1 FROM {q}.{labels} k WHERE k.issue_id = m.id AND k.label = %s)",
                ["gt:message", address, "closed", "delivery:acked"],
            )
        )
    rows = run_union(agent.db, parts)
    return [Message(str(i), str(title), str(sender or "")) for i, title, sender in rows]


class MailDesk:
    """Sends this agent's mail, and (in `run`) acks what arrives, calling `on_message`."""

    def __init__(
        self,
        agent: Agent,
        on_message: Callable[[Message], None] | None = None,
        address: str | None = None,
    ) -> None:
        self.agent = agent
        self.address = address or agent.address
        self.on_message = on_message
        self.acked = 0
        self._box: NudgeBox | None = None
        self._lock = threading.Lock()  # the desk thread and `check_now` never ack twice

    def send(
        self, recipient: str, subject: str, body: str = "", msg_type: str = "notification"
    ) -> str:
        """Write the message, log gt's `mail` event, nudge the recipient; the message id."""
        mail_id = self.agent.writer.send_mail(
            sender=self.address,
            recipient=recipient,
            subject=subject,
            created_at=utc_now(),
            body=body,
            msg_type=msg_type,
        )
        self.agent.event("mail", {"to": recipient, "subject": subject}, actor=self.address)
        nudge(self.agent.root, recipient)
        return mail_id

    def open(self) -> MailDesk:
        """Start listening for nudges (before the agent tells anyone it is working)."""
        if self._box is None:
            self._box = NudgeBox(self.agent.root, self.address)
            self.agent.listening.add(self.address)
        return self

    def run(self) -> None:
        """The desk thread: ack the inbox, then wait for a nudge or the periodic check."""
        box = self.open()._box
        assert box is not None
        try:
            while not self.agent.stop.is_set():
                self._check(busy=True)
                box.wait(CHECK_EVERY_S)
        finally:
            box.close()
            self._box = None

    def check_now(self) -> int:
        """`gt mail check`: ack whatever is pending at once (on start and before going idle)."""
        return self._check(busy=False)

    def _check(self, busy: bool) -> int:
        with self._lock:
            return self._check_locked(busy)

    def _check_locked(self, busy: bool) -> int:
        try:
            messages = pending_mail(self.agent, self.address)
            if messages and busy:
                messages = self._after_current_work(messages)
            for message in messages:
                self._ack(message)
            return len(messages)
        except Exception as exc:  # the database may be busy or gone for a moment
            log.warning("%s: mail check failed: %s", self.address, exc)
            return 0

    def _after_current_work(self, messages: list[Message]) -> list[Message]:
        """A busy agent reads its mail only after what it is doing (the profile's delay)."""
        delay = self.agent.pick(self.agent.profile.ack_delay_s)
        if delay <= 0:
            return messages
        if not self.agent.sleep(delay):
            return []
        return pending_mail(self.agent, self.address)

    def _ack(self, message: Message) -> None:
        self.agent.writer.ack_mail(message.id, self.address, utc_now())
        self.acked += 1
        if self.on_message is not None:
            self.on_message(message)
