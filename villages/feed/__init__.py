"""The platform data feed: reading a posted batch (`rows`), writing it set-based (`writes`), its background task."""
