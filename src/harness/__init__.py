"""Compose signing and settings into NCloud mail: a client, a background sender, a fake server."""
