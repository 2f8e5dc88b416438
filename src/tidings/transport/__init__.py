"""Transports: RFC 6455 under uvicorn, and the GraphQL-over-WebSocket sub-protocols as adapters
that frame bytes over the one operation machinery in `tidings.execution`."""
