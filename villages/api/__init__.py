"""The villages app's part of the JSON API v1 (divisions, villages, shops, reports, certification, imports)."""
