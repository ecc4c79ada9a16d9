"""qbrgen: per-account data in, the documents an account management team runs on out."""

__version__ = "0.1.0"
