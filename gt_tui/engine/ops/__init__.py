"""What the engine's actions do to a town: worktree pools, tmux hygiene, the queue, indexes."""
