"""The managers: state, sessions, caches, threads, config, lifecycle (the audit's main target)."""
