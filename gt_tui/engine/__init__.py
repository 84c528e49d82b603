"""The engine: sources to an immutable Snapshot, caches, limits and guarded actions (no Textual)."""
