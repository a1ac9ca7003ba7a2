"""Simplified Chinese formats for the registry."""
