"""The web edge: Litestar handlers, the WebSocket endpoint, templates and static files."""
