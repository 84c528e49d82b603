"""A town's beads history, generated to a row budget: rig work, mail, patrols, agents, convoys.

`plan.write_history` writes it all; one module per kind of history, `context` shared.

The shapes (how many, which status, how long a cycle took, how late an ack came) are
drawn from a seeded `random.Random`: this is test data for a static town, never shown as a
measurement of anything. Rows follow gt's conventions (see gastown.md §2.4, §3, §4, §5).
"""
