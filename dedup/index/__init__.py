"""The persistent index: one Store interface with SQLite and Redis backends, and Index on top."""
