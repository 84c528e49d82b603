"""Allow `python -m gt_tui`."""

from gt_tui.cli import main

raise SystemExit(main())
