"""A corpus scan: pass one (sign), pass two (confirm), its state, checkpoints, and the Spark engine."""
