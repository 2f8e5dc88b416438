"""Tidings: the real-time GraphQL layer of a social feed."""

__version__ = "0.1.0"
