"""Atomic output: files and folders appear complete or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a checkpoint is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, obj) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def write_jsonl_atomic(path: str | Path, rows) -> None:
    write_text_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def publish_dir(staging: Path, final: Path) -> None:
    """Move a fully written `staging` folder to `final`, replacing an older `final`.

    The old folder is renamed away first, so at every moment `final` is either the old
    complete checkpoint or the new complete one, never a mix.
    """
    final = Path(final)
    share_readable(staging)
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)


def share_readable(folder: Path) -> None:
    """Make every file and folder under `folder` readable by others, as our own atomic writes
    are: transformers 5 writes model.safetensors as 0600 (a temporary file renamed into
    place), which would hide the weights from colleagues on a shared GPU box."""
    for path in [folder, *Path(folder).rglob("*")]:
        mode = path.stat().st_mode
        os.chmod(path, mode | (0o755 if path.is_dir() else 0o644))


@contextmanager
def staged_dir(final: str | Path) -> Iterator[Path]:
    """Yield an empty folder beside `final` to write into. When the block finishes, the folder
    replaces `final` in one rename; when it raises, the folder is deleted and `final` (old
    contents or absent) is left as it was."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".staging"))
    os.chmod(staging, 0o755)  # mkdtemp makes 0700; reports are meant to be shared
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish_dir(staging, final)
