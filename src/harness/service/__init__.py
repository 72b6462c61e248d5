"""A small HTTP mail service over the outbox: answer at once, send in the background.

::

    from harness.service import create_app
    from ncp_config import load_settings

    app = create_app(load_settings(), workers=4)  # serve with uvicorn

``ncp-harness serve`` runs it; ``ncp-harness demo`` runs it end to end against the fake
NCloud server.
"""

from harness._serving import BackgroundServer
from harness.service._app import DEFAULT_DB_PATH, ServiceState, create_app
from harness.service._cli import add_demo_parser, add_serve_parser, demo_command, serve_command
from harness.service._demo import run_demo

__all__ = [
    "DEFAULT_DB_PATH",
    "BackgroundServer",
    "ServiceState",
    "add_demo_parser",
    "add_serve_parser",
    "create_app",
    "demo_command",
    "run_demo",
    "serve_command",
]
