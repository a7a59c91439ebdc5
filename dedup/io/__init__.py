"""Input and output files: readers (text, HTML, JSON Lines, stdin spooled), skipped inputs, cleaned output."""
