"""The engine's caches (spec §4): the L1/L2 tiers, their bounded stores and statistics."""
