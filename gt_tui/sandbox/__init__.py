"""The embedded sandbox town: a static builder (layout, schema, writer, scale) and its agents."""
