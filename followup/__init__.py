"""followup: the power of three, every working day."""

__version__ = "0.1.0"
