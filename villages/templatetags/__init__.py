"""Template tags and filters of the villages app."""
