"""The JSON API v1 of the villages app."""
