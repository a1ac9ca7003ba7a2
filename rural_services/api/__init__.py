"""The service network's part of the JSON API v1 (county operation centres and village service points)."""
