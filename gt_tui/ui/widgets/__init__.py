"""The console's widgets: thin views over the renderables of `gt_tui.export`."""
