"""targetsplit: split sales targets down a hierarchy exactly, and track them."""

__version__ = "0.1.0"
