"""Template tags of the service network, used on the villages app's pages without it importing this app."""
