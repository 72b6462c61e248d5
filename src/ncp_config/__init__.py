"""Validated NCloud settings with a credential chain and secret masking."""
