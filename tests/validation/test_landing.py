from __future__ import annotations

import json
from pathlib import Path

from validation.landing import land, sha256_of


def test_a_landed_file_is_kept_byte_for_byte_under_its_hash(tmp_path: Path) -> None:
    source = tmp_path / "Export.CSV"
    data = b"\xef\xbb\xbfa,b\r\n1,2\r\n"
    source.write_bytes(data)
    landed = land(source, tmp_path / "landing")
    assert landed.path == tmp_path / "landing" / f"{sha256_of(data)}.csv"
    assert landed.path.read_bytes() == data
    assert landed.size == len(data)
    assert landed.short_id == landed.sha256[:12]


def test_landing_the_same_bytes_twice_is_a_no_op(tmp_path: Path) -> None:
    source = tmp_path / "a.vtt"
    source.write_bytes(b"WEBVTT\n")
    first = land(source, tmp_path / "landing")
    stamp = first.path.stat().st_mtime_ns
    second = land(source, tmp_path / "landing")
    assert second == first
    assert first.path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in (tmp_path / "landing").iterdir()) == sorted(
        [first.path.name, f"{first.sha256}.meta.json"]
    )


def test_the_same_bytes_under_another_name_are_stored_once_and_both_names_recorded(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_bytes(b"# notes\n")
    (tmp_path / "two.md").write_bytes(b"# notes\n")
    first = land(tmp_path / "one.md", tmp_path / "landing")
    land(tmp_path / "two.md", tmp_path / "landing")
    meta = json.loads((tmp_path / "landing" / f"{first.sha256}.meta.json").read_text("utf-8"))
    assert meta["names"] == ["one.md", "two.md"]
    assert len(list((tmp_path / "landing").glob("*.md"))) == 1


def test_companions_are_the_other_files_of_the_same_cycle_folder(tmp_path: Path) -> None:
    from validation.inbox import Companions, discover

    for relative in ("cycle-1/data.csv", "cycle-1/dictionary.csv", "cycle-2/other.csv"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(relative.encode())
    files = discover(tmp_path)
    companions = Companions(files[0], files)
    assert list(companions) == ["dictionary.csv"]
    assert companions["dictionary.csv"] == b"cycle-1/dictionary.csv"
    assert companions.sizes() == [("dictionary.csv", len(b"cycle-1/dictionary.csv"))]
