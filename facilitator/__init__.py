"""facilitator: run the agree/disagree post-it statement exercise in focus groups."""

__version__ = "0.1.0"
