"""Machine settings, from ``EVALCYCLE_*`` environment variables, in one frozen dataclass.

Study settings (instruments, codebook, cycles, privacy k) are not here: they belong to the
evaluation's YAML file. This module must not import prefect: :func:`configure_prefect` has to run
before prefect is first imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from flows.prefect_server import TEMPORARY_API_URL

REPOSITORY = Path(__file__).resolve().parent.parent
PILOT_EVALUATION = REPOSITORY / "examples" / "psw-pilot-3" / "evaluation.yaml"


@dataclass(frozen=True)
class Settings:
    """Where the workspace is and which evaluation to run."""

    workspace: Path
    evaluation: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            workspace=Path(env.get("EVALCYCLE_WORKSPACE", "data")).resolve(),
            evaluation=Path(env.get("EVALCYCLE_EVALUATION", str(PILOT_EVALUATION))).resolve(),
        )

    @property
    def inbox(self) -> Path:
        return self.workspace / "inbox"

    @property
    def landing(self) -> Path:
        return self.workspace / "landing"

    @property
    def quarantine(self) -> Path:
        return self.workspace / "quarantine"

    @property
    def validated(self) -> Path:
        return self.workspace / "validated"

    @property
    def published(self) -> Path:
        return self.workspace / "published"

    @property
    def quality(self) -> Path:
        """great-expectations' project and the Data Docs: internal, never published."""
        return self.workspace / "quality"

    @property
    def private(self) -> Path:
        """Salt and anonymisation logs: never published, never sent anywhere."""
        return self.workspace / "private"

    @property
    def prefect_home(self) -> Path:
        return self.workspace / ".prefect"


def configure_prefect(settings: Settings, env: MutableMapping[str, str] | None = None) -> None:
    """Keep Prefect's state in the workspace, and keep it quiet and offline.

    With no ``PREFECT_API_URL`` Prefect runs on a temporary local server (no install needed).
    Values the user already set are left alone.
    """
    env = os.environ if env is None else env
    env.setdefault("PREFECT_HOME", str(settings.prefect_home))
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A fresh workspace migrates Prefect's database on first start; on a busy 2-core machine
    # that can take longer than Prefect's default 20 s wait.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    env.setdefault("PREFECT_UI_ENABLED", "false")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    _start_from_template(env)


def prefect_database_template(env: Mapping[str, str] | None = None) -> Path:
    """Where an empty, fully migrated Prefect database is kept for this Prefect version.

    A new workspace's database is copied from it: creating one from scratch runs over a hundred
    migrations, which costs more than the rest of Prefect's start-up.
    """
    env = os.environ if env is None else env
    cache = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "evalcycle" / f"prefect-{version('prefect')}.db"


def _uses_default_database(env: Mapping[str, str]) -> bool:
    """Whether Prefect keeps its runs in the workspace's own SQLite file.

    True without an API URL, and with the URL of the temporary server the pilot command started
    itself (``flows.prefect_server``), which serves that same file.
    """
    api = env.get("PREFECT_API_URL")
    ours = api is not None and api == env.get(TEMPORARY_API_URL)
    return (not api or ours) and not env.get("PREFECT_API_DATABASE_CONNECTION_URL")


def _start_from_template(env: MutableMapping[str, str]) -> None:
    """Give a workspace without a Prefect database a copy of the migrated template, if there is one."""
    database = Path(env["PREFECT_HOME"]) / "prefect.db"
    template = prefect_database_template(env)
    if _uses_default_database(env) and not database.exists() and template.is_file():
        partial = database.with_name(f".{database.name}.tmp")
        shutil.copyfile(template, partial)
        partial.replace(database)


def build_prefect_database_template(env: Mapping[str, str] | None = None) -> Path | None:
    """Create the migrated template (:func:`prefect_database_template`) unless it exists; its path.

    Runs ``prefect server database upgrade`` on an empty folder in a child process. Returns None
    when Prefect's database is not the default local one (nothing to prepare) or the upgrade fails.
    """
    env = os.environ if env is None else env
    template = prefect_database_template(env)
    if template.is_file() or not _uses_default_database(env):
        return template if template.is_file() else None
    template.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=template.parent) as scratch:
        child = {k: v for k, v in env.items() if k not in ("PREFECT_API_URL", TEMPORARY_API_URL)}
        child |= {"PREFECT_HOME": scratch, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        upgrade = [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"]
        result = subprocess.run(upgrade, env=child, capture_output=True, check=False)
        built = Path(scratch) / "prefect.db"
        if result.returncode != 0 or not built.is_file():
            return None
        built.replace(template)
    return template
