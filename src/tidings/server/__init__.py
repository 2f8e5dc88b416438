"""The server: create_app(), the GraphQL transports, health, metrics, the dashboard."""

from .app import Tidings, create_app

__all__ = ["Tidings", "create_app"]
