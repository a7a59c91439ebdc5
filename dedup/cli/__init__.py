"""The dedup command line."""
