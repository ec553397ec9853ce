"""Factory unit tests (plain unittest)."""
