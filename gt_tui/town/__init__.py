"""Reading a town as gt lays it out: files, database, events, tmux."""
