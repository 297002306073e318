"""Test-wide settings: Prefect stays offline and keeps its state in a temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything imports prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="evalcycle-prefect-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_UI_ENABLED"] = "false"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)

REPOSITORY = Path(__file__).resolve().parent.parent
PILOT = REPOSITORY / "examples" / "psw-pilot"
# The shared reference material sits beside the repository (in CI: beside the clean clone); from a
# git worktree nested deeper, the nearest ancestor that holds it is used.
SHARED = next(
    (folder / "shared" for folder in REPOSITORY.parents if (folder / "shared" / "samples").is_dir()),
    REPOSITORY.parent / "shared",
)
