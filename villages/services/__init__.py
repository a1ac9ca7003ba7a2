"""Write side of the villages app: every change to registry data goes through a function in this package."""
