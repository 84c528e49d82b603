"""The Textual console and the wall monitor: thin views over the engine's Snapshot."""
