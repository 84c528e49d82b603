"""`gt-tui doctor`: the first command to run on a real town. Never imports Textual.

One line per check (`core.Check`, listed in `checks.CHECKS`) over a shared, lazily
opened context (`context.DoctorContext`); nothing is changed, the database is opened
read-only, and a password is never printed. See `cli` for the exit codes.
"""
