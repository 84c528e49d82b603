"""A test-only town builder, written from beads' DDL and gt's file formats.

Not `gt_tui.sandbox`: the fixture towns of the engine tests are written here from the
sources (`ddl.py` cites beads' schema files, `files.py` and `beads.py` gastown's formats),
so a misreading of gt's schema in the sandbox writer and in the engine cannot pass both.
`tests/towns.py` builds its towns with these parts; `test_builders_agree.py` builds one
town both ways and checks the engine reads the same figures.
"""
