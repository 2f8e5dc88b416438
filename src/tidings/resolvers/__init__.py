"""The functions behind the schema's fields, one module per domain."""

from .context import Context

__all__ = ["Context"]
