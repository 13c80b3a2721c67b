"""Sync by files: the bundle format, keys, merging and conflicts."""
