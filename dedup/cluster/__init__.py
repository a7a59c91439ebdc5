"""From confirmed pairs to groups and clusters, and which copy represents a cluster."""
