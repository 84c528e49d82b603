"""The console's widgets: thin views over the renderables of `gt_tui.export` (header_view, metric_view, engine_view, map_view, window)."""
