"""Execution: documents (parse, validate, limits, caches), sharing keys and payloads, operations,
the services every request's context shares, rate limits, live figures."""
