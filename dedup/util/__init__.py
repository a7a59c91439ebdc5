"""Helpers every layer may use: numpy array helpers, parameter checks, progress, worker processes, malloc tuning."""
