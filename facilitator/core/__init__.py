"""The vocabulary every layer shares: errors, clock, paths, safe text, statement sets."""
