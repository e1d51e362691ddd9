"""Tools agents can call, their registries and the dispatchers that run them."""
