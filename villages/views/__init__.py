"""Web pages of the villages app, one module per area: home, public pages, villages, shops, reports, review."""
