"""Files and folders that appear complete or not at all, and where indosec caches what it builds.

Both packages write through here: training publishes its run folder and report folders
(`replace=True`: the new folder takes the old one's place), fast mode and the bundled backbone
publish into the cache (`replace=False`: whoever publishes first wins, the same build either way).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_root() -> Path:
    """`$INDOSEC_CACHE`, else `~/.cache/indosec`: fast mode's ONNX exports (`onnx-int8/`) and the
    converted bundled backbones (`backbones/`)."""
    return Path(os.environ.get("INDOSEC_CACHE") or Path.home() / ".cache" / "indosec")


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


def publish_dir(staging: str | Path, final: str | Path, *, replace: bool = True) -> None:
    """Move a fully written `staging` folder to `final` in one rename, readable by others.

    replace=True: an older `final` is renamed away first, so at every moment `final` is either
    the old complete folder or the new complete one, never a mix. replace=False (a cache): an
    existing `final` wins, and `staging` is deleted; another process published the same build first.
    """
    staging, final = Path(staging), Path(final)
    share_readable(staging)
    if not replace:
        try:
            os.rename(staging, final)
        except OSError:
            if not final.exists():
                raise
            shutil.rmtree(staging, ignore_errors=True)
        return
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)


def share_readable(folder: str | Path) -> None:
    """Make every file and folder under `folder` readable by others, as our own atomic writes
    are: transformers 5 writes model.safetensors as 0600 (a temporary file renamed into
    place), which would hide the weights from colleagues on a shared GPU box."""
    for path in [Path(folder), *Path(folder).rglob("*")]:
        mode = path.stat().st_mode
        os.chmod(path, mode | (0o755 if path.is_dir() else 0o644))


@contextmanager
def staged_dir(final: str | Path, *, replace: bool = True) -> Iterator[Path]:
    """Yield an empty folder beside `final` to write into. When the block finishes, the folder
    is published as `final` (`publish_dir`); when it raises, the folder is deleted and `final`
    (old contents or absent) is left as it was."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".staging"))
    try:
        yield staging
        publish_dir(staging, final, replace=replace)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
