"""The console's screens: dashboard, zoomed metric, help, confirmation, results."""
