"""HTTP: create_app(), GraphQL over HTTP, GraphiQL, health, metrics, demo, serving with uvicorn."""

from .app import Tidings, create_app

__all__ = ["Tidings", "create_app"]
