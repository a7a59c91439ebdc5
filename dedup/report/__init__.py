"""Reports: JSON, JSON Lines, CSV, tables and the HTML report."""
