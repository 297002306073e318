"""The landing zone: every file that arrives is kept byte-for-byte under its SHA-256.

Landing never judges content. The same bytes landed twice are stored once (a no-op), so
re-running ingest, or dropping the same export again, changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from instruments.atomic import write_bytes_atomic, write_text_atomic


@dataclass(frozen=True)
class LandedFile:
    """A file kept in the landing zone. ``name`` is the name it arrived with."""

    sha256: str
    name: str
    path: Path
    size: int

    @property
    def short_id(self) -> str:
        return self.sha256[:12]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def land(source: Path, landing_dir: Path) -> LandedFile:
    """Copy ``source`` into ``landing_dir`` as ``<sha256><suffix>`` unless it is already there."""
    data = source.read_bytes()
    digest = sha256_of(data)
    target = landing_dir / f"{digest}{source.suffix.lower()}"
    if not target.exists():
        write_bytes_atomic(target, data)
    meta = landing_dir / f"{digest}.meta.json"
    names: list[str] = json.loads(meta.read_text("utf-8"))["names"] if meta.exists() else []
    if source.name not in names:
        names = sorted([*names, source.name])
        record = {"sha256": digest, "size": len(data), "names": names}
        write_text_atomic(meta, json.dumps(record, indent=2) + "\n")
    return LandedFile(sha256=digest, name=source.name, path=target, size=len(data))
