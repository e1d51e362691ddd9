"""Websocket connections and message delivery (managers, emitters, helpers)."""
