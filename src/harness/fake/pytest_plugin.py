"""Pytest fixtures for the fake NCloud server, registered through the ``pytest11`` entry point."""
