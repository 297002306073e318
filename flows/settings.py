"""Machine settings, from ``EVALCYCLE_*`` environment variables, in one frozen dataclass.

Study settings (instruments, codebook, cycles, privacy k) are not here: they belong to the
evaluation's YAML file. This module must not import prefect: :func:`configure_prefect` has to run
before prefect is first imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PILOT_EVALUATION = REPOSITORY / "examples" / "psw-pilot" / "evaluation.yaml"


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
