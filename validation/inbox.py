"""The inbox: evaluators drop files into ``inbox/<cycle id>/``; the folder says the PDSA cycle."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from instruments.errors import UnmappedInput


@dataclass(frozen=True)
class InboxFile:
    path: Path
    #: The cycle folder the file sits in, or None when it is not in a cycle folder.
    folder: str | None

    @property
    def name(self) -> str:
        return self.path.name


def discover(inbox_dir: Path) -> list[InboxFile]:
    """Every file in the inbox, in a stable order; hidden and Office lock files are skipped."""
    if not inbox_dir.exists():
        return []
    found = []
    for path in sorted(inbox_dir.rglob("*")):
        relative = path.relative_to(inbox_dir)
        if not path.is_file() or any(part.startswith((".", "~$")) for part in relative.parts):
            continue
        folder = relative.parts[0] if len(relative.parts) > 1 else None
        found.append(InboxFile(path, folder))
    return found


def cycle_of(file: InboxFile, cycle_ids: tuple[str, ...]) -> str:
    """The PDSA cycle a file belongs to, or a refusal saying where to put it."""
    if file.folder in cycle_ids:
        return file.folder
    folders = ", ".join(f"inbox/{c}/" for c in cycle_ids)
    where = f"inbox/{file.folder}/{file.name}" if file.folder else f"inbox/{file.name}"
    raise UnmappedInput(
        where,
        "the file is not in the folder of a PDSA cycle of this evaluation, so its cycle is unknown.",
        f"Move it into the folder of its cycle ({folders}) and run ingest again.",
        rule="inbox.no-cycle-folder",
    )


class Companions(Mapping[str, bytes]):
    """The other files of an inbox file's cycle folder, read only when a reader asks for them.

    A REDCap export uses the data dictionary dropped beside it; no other reader looks.
    """

    def __init__(self, file: InboxFile, folder_files: list[InboxFile]) -> None:
        self._paths = {f.name: f.path for f in folder_files if f.folder == file.folder and f.path != file.path}

    def __getitem__(self, name: str) -> bytes:
        return self._paths[name].read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)

    def sizes(self) -> list[tuple[str, int]]:
        """Each companion's name and size, without reading it (for cache keys)."""
        return [(name, self._paths[name].stat().st_size) for name in self]
