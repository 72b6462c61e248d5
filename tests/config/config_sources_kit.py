"""Plant values through any source of the chain, for the config tests."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from ncp_config._sources import CONFIGURE_KEYS, ENV_NAMES
from ncp_isolation import empty_secret_registry

SOURCES = ("argument", "env", "dotenv", "secrets", "configure")
CONFIGURE_FIELDS = {value: key for key, value in CONFIGURE_KEYS.items()}


@dataclass
class Plant:
    """Values to place in each source, written under ``root`` by :meth:`write`."""

    root: Path
    explicit: dict[str, Any] = field(default_factory=dict)
    environ: dict[str, str] = field(default_factory=dict)
    dotenv: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    configure: dict[str, dict[str, str]] = field(default_factory=dict)
    configure_text: str | None = None

    def add(self, source: str, name: str, value: str, *, spelling: int = 0) -> None:
        """Set field ``name`` to ``value`` in ``source``, using the given variable spelling."""
        variable = ENV_NAMES[name][spelling]
        if source == "argument":
            self.explicit[name] = value
        elif source == "env":
            self.environ[variable] = value
        elif source == "dotenv":
            self.dotenv[variable] = value
        elif source == "secrets":
            self.secrets[variable] = value + "\n"
        elif source == "configure":
            self.configure.setdefault("DEFAULT", {})[CONFIGURE_FIELDS[name]] = value
        else:
            raise AssertionError(source)

    @property
    def env_file(self) -> Path:
        return self.root / ".env"

    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    def config_file(self) -> Path:
        return self.root / "configure"

    def write(self) -> None:
        """Write the .env file, the secrets directory and the configure file.

        A lone surrogate such as ``\\udce9`` is written as the byte it stands for, so a value
        with one plants a file that is not valid UTF-8, as an undecodable variable would be.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self.env_file.write_text(
            "".join(f"{name}={value}\n" for name, value in self.dotenv.items()),
            encoding="utf-8",
            errors="surrogateescape",
        )
        self.secrets_dir.mkdir(exist_ok=True)
        for name, value in self.secrets.items():
            (self.secrets_dir / name).write_text(value, encoding="utf-8", errors="surrogateescape")
        text = self.configure_text
        if text is None:
            text = "".join(
                f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items())
                for section, keys in self.configure.items()
            )
        self.config_file.write_text(text, encoding="utf-8", errors="surrogateescape")

    def kwargs(self) -> dict[str, Any]:
        """Arguments for ``load_settings`` that read exactly the planted sources."""
        self.write()
        return {
            "environ": dict(self.environ),
            "env_file": self.env_file,
            "secrets_dir": self.secrets_dir,
            "config_file": self.config_file,
            **self.explicit,
        }

    @contextlib.contextmanager
    def as_process(self) -> Iterator[None]:
        """Make the planted sources the process defaults: environment, ./.env, and so on."""
        self.write()
        environ = {
            **self.environ,
            "HOME": str(self.root),
            "NCLOUD_SECRETS_DIR": str(self.secrets_dir),
            "NCLOUD_CONFIG_FILE": str(self.config_file),
        }
        before = Path.cwd()
        with mock.patch.dict(os.environ, environ):
            os.chdir(self.root)
            try:
                yield
            finally:
                os.chdir(before)


no_known_secrets = empty_secret_registry  # the one implementation, shared with the fixture
