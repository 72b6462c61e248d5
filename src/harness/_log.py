"""The ``harness`` logger, with the settings' secret redaction attached before its first use.

Every module that logs takes this logger, so a record is redacted even in a program that
imports ``harness.outbox`` without ever importing ``ncp_config`` itself.
"""

import logging

from ncp_config import install_log_redaction

__all__ = ["logger"]

logger = logging.getLogger("harness")
install_log_redaction()
