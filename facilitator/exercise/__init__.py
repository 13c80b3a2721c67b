"""The statement exercise: chart groups and their counts, saved pools, receipts."""
