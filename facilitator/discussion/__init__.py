"""The discussion: roster, notes, codebook, the pseudonym map and privacy checks."""
