"""Rate limits and concurrency gates (spec §3) in front of every engine query and spawn."""
