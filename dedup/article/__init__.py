"""Restatements inside one document: the detector and its evidence."""
