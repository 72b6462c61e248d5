"""HTTPS for the fake server: a throwaway certificate authority and a loopback certificate."""

from __future__ import annotations

import tempfile
from pathlib import Path

__all__ = ["LoopbackTls"]


class LoopbackTls:
    """A fresh CA and a certificate for ``127.0.0.1``, ``::1`` and ``localhost``, as PEM files.

    Clients trust the server by pointing their CA bundle at :attr:`ca_file` (``verify=`` in
    requests and httpx). The files live in a private temporary folder until :meth:`close`.
    Certificates come from ``trustme``, made for exactly this, and installed with the
    ``dev`` extra.
    """

    def __init__(self) -> None:
        try:
            import trustme
        except ImportError as exc:  # pragma: no cover - trustme comes with the dev extra
            raise RuntimeError(
                "Serving the fake over TLS needs the 'trustme' package; pip install trustme."
            ) from exc
        self._folder = tempfile.TemporaryDirectory(prefix="ncp-fake-tls-")
        folder = Path(self._folder.name)
        authority = trustme.CA()
        issued = authority.issue_cert("127.0.0.1", "::1", "localhost")
        self.ca_file = folder / "ca.pem"
        self.cert_file = folder / "server.pem"
        self.key_file = folder / "server.key"
        authority.cert_pem.write_to_path(str(self.ca_file))
        issued.private_key_pem.write_to_path(str(self.key_file))
        for index, blob in enumerate(issued.cert_chain_pems):
            blob.write_to_path(str(self.cert_file), append=index > 0)

    def close(self) -> None:
        """Delete the certificate files."""
        self._folder.cleanup()
