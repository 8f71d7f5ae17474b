"""Resume after a crash: pick the last *complete* Trainer checkpoint of an interrupted run, and
only when the run being started is the same run (config, data, number of processes).

Resuming is automatic (train.resume, default true): the same command started again continues
from `<output_dir>/<run_name>.partial/checkpoint-<step>`. With train.resume=false the partial
folder is deleted and training starts over.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from train.checkpoint import RUN_INFO
from train.config import ConfigError
from train.io import write_json_atomic
from train.provenance import add_resume_record, resume_differences

# The Trainer writes this file last when it saves a checkpoint: a folder without it (or with
# a truncated one) was cut off by the crash.
COMPLETE_MARKER = "trainer_state.json"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def prepare_work_dir(work_dir: Path, info: dict, *, resume: bool, is_main: bool) -> tuple[str | None, dict]:
    """Return the checkpoint to resume from (or None), after checking it belongs to this run,
    and the provenance to keep: `info`, or on a resume the interrupted run's own record with
    this start added to its `resumes` (train.provenance.add_resume_record).

    Only the main process deletes or writes anything; the others just read.
    """
    work_dir = Path(work_dir)
    last = None
    if not resume:
        if is_main and work_dir.exists():
            shutil.rmtree(work_dir)
    elif work_dir.is_dir():
        stamp = work_dir / RUN_INFO
        before = json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else None
        if before:
            check_same_run(before, info, work_dir)
        last = last_complete_checkpoint(work_dir, remove_torn=is_main)
        if last and before:
            info = add_resume_record(before, info, last)
    if is_main:
        write_json_atomic(work_dir / RUN_INFO, info)
    check_all_processes_agree(last)
    return last, info


def check_all_processes_agree(last: str | None) -> None:
    """On several nodes, every process must resume from the checkpoint the main process
    resumes from; one that cannot see it is on storage the main process does not write to."""
    main_choice = _broadcast_from_main(last)
    if main_choice != last:
        raise ConfigError(
            f"the main process resumes from {main_choice} but this process sees {last or 'no checkpoint'}: "
            "train.output_dir must be on storage every node shares (the main process alone writes checkpoints)"
        )


def _broadcast_from_main(value):
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def check_finished_run(run_dir: Path, info: dict, *, overwrite: bool) -> None:
    """Refuse to replace a finished run trained with another config or other data, unless
    train.overwrite=true: its checkpoint may be the one a report or a Hub upload refers to.
    The same command run again (same config and data) replaces it, as `make demo` does."""
    stamp = Path(run_dir) / RUN_INFO
    if overwrite or not stamp.is_file():
        return
    try:
        before = json.loads(stamp.read_text(encoding="utf-8"))
    except ValueError:
        before = {}
    diffs = resume_differences(before, info, before_name="finished run", world_size=False)
    if diffs:
        listed = "\n  ".join(diffs)
        raise ConfigError(
            f"{run_dir} holds a finished run trained with other settings:\n  {listed}\n"
            "Set train.overwrite=true to replace it, or choose another train.run_name"
        )


def check_same_run(before: dict, now: dict, work_dir: Path) -> None:
    diffs = resume_differences(before, now)
    if diffs:
        listed = "\n  ".join(diffs)
        raise ConfigError(
            f"{work_dir} holds an interrupted run that differs from this one:\n  {listed}\n"
            "Run the original command to resume it, set train.resume=false to delete it and start over, "
            "or choose another train.run_name"
        )


def last_complete_checkpoint(work_dir: Path, *, remove_torn: bool = False) -> str | None:
    """Highest-step checkpoint whose trainer_state.json parses; newer torn ones are removed
    (by the main process) so the Trainer's checkpoint rotation never counts them."""
    steps = sorted(
        ((int(m.group(1)), p) for p in Path(work_dir).iterdir() if p.is_dir() and (m := _CHECKPOINT.match(p.name))),
        reverse=True,
    )
    for _, path in steps:
        if is_complete(path):
            return str(path)
        print(f"Ignoring incomplete checkpoint {path} (cut off while it was being written)")
        if remove_torn:
            shutil.rmtree(path, ignore_errors=True)
    return None


def is_complete(checkpoint: Path) -> bool:
    try:
        json.loads((checkpoint / COMPLETE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(checkpoint.glob("*.safetensors"))
