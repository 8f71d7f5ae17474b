"""The run folder, in one place: where a run writes while it trains, the record that says which
run it is (run_info.json, written by train.provenance), resuming after a crash, the same-run
check, and the one rename that makes it `<output_dir>/<run_name>/`.

    <run_name>.partial/               while training (kept for resuming)
        checkpoint-<step>/            the Trainer's checkpoints
        run_info.json                 this run's record, checked before a resume
        final/                        the staging copy the stages fill:
    <run_name>/                       the finished run, appeared in one rename (`publish`):
        model.safetensors, config.json, tokenizer files, run_info.json, train_log.json   fit
        metrics.json, report/predictions.jsonl (config.json's calibration_temperature)   evaluate
        report/report.md, report/*.png, README.md (the model card)                       render

Resuming is automatic (train.resume, default true): the same command started again continues
from the last *complete* checkpoint of `<run_name>.partial/`, once that folder's run_info.json
shows the same config, data and number of processes. train.resume=false deletes it instead. A
finished run is replaced only by the same command, or with train.overwrite=true.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from indosec.files import publish_dir, write_json_atomic, write_jsonl_atomic
from train.config import ConfigError
from train.provenance import add_resume_record, resume_differences

METRICS = "metrics.json"
RUN_INFO = "run_info.json"
TRAIN_LOG = "train_log.json"
REPORT_DIR = "report"
PREDICTIONS = "predictions.jsonl"
# The Trainer writes this file last when it saves a checkpoint: a folder without it (or with
# a truncated one) was cut off by the crash.
COMPLETE_MARKER = "trainer_state.json"


@dataclass(frozen=True)
class Layout:
    """Where an evaluation's files go: a checkpoint keeps metrics.json beside its weights and
    the report in report/; `python -m train.evaluate --out` keeps them all in one folder."""

    metrics: Path
    report: Path

    @property
    def predictions(self) -> Path:
        return self.report / PREDICTIONS

    def write(self, metrics: dict, predictions: list[dict]) -> None:
        """What `train.evaluate` produces: metrics.json and predictions.jsonl."""
        write_json_atomic(self.metrics, metrics)
        write_jsonl_atomic(self.predictions, predictions)

    @classmethod
    def of_checkpoint(cls, folder: str | Path) -> Layout:
        return cls(Path(folder) / METRICS, Path(folder) / REPORT_DIR)

    @classmethod
    def flat(cls, folder: str | Path) -> Layout:
        return cls(Path(folder) / METRICS, Path(folder))


class RunFolder:
    """`<run_name>/` (`final`), `<run_name>.partial/` (`work`) and the staging copy (`staging`)."""

    def __init__(self, run_dir: str | Path):
        self.final = Path(run_dir)
        self.work = self.final.with_name(self.final.name + ".partial")
        self.staging = self.work / "final"

    def check_finished(self, info: dict, *, overwrite: bool) -> None:
        """Refuse to replace a finished run trained with another config or other data, unless
        train.overwrite=true: its checkpoint may be the one a report or a Hub upload refers to.
        The same command run again (same config and data) replaces it, as `make demo` does."""
        stamp = self.final / RUN_INFO
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
                f"{self.final} holds a finished run trained with other settings:\n  {listed}\n"
                "Set train.overwrite=true to replace it, or choose another train.run_name"
            )

    def prepare(self, info: dict, *, resume: bool, is_main: bool) -> tuple[str | None, dict]:
        """The checkpoint to resume from (or None), after checking it belongs to this run, and
        the record to keep: `info`, or on a resume the interrupted run's own record with this
        start added to its `resumes`. Only the main process deletes or writes anything and
        looks for the checkpoint; the others check they can see the one it chose."""
        last, before = None, None
        if not resume:
            if is_main and self.work.exists():
                shutil.rmtree(self.work)
        elif self.work.is_dir():
            stamp = self.work / RUN_INFO
            before = json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else None
            if before:  # every process checks, so that all of them stop together
                self._check_same_run(before, info)
            if is_main:
                last = self.last_complete_checkpoint()
        last = _agree_with_main(last, is_main)
        if last and before:
            info = add_resume_record(before, info, last)
        if is_main:
            write_json_atomic(self.work / RUN_INFO, info)
        return last, info

    def _check_same_run(self, before: dict, now: dict) -> None:
        diffs = resume_differences(before, now)
        if diffs:
            listed = "\n  ".join(diffs)
            raise ConfigError(
                f"{self.work} holds an interrupted run that differs from this one:\n  {listed}\n"
                "Run the original command to resume it, set train.resume=false to delete it and start over, "
                "or choose another train.run_name"
            )

    def last_complete_checkpoint(self) -> str | None:
        """The Trainer's last checkpoint (transformers' `get_last_checkpoint`) whose
        trainer_state.json parses; a newer one cut off while it was written is removed, so
        that the Trainer's checkpoint rotation never counts it."""
        from transformers.trainer_utils import get_last_checkpoint

        while (last := get_last_checkpoint(str(self.work))) is not None:
            if is_complete(Path(last)):
                return last
            print(f"Ignoring incomplete checkpoint {last} (cut off while it was being written)")
            shutil.rmtree(last)
        return None

    def fresh_staging(self) -> Path:
        """The empty staging copy (a leftover of an earlier attempt is removed)."""
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self.staging

    def save_record(self, info: dict, log_history: list[dict]) -> None:
        """run_info.json (how the run was made) and train_log.json (the Trainer's log) into the staging copy."""
        write_json_atomic(self.staging / RUN_INFO, info)
        write_json_atomic(self.staging / TRAIN_LOG, log_history)

    def publish(self) -> None:
        """The staging copy becomes `<run_name>/` in one rename (an older one is replaced);
        the Trainer's checkpoints go."""
        publish_dir(self.staging, self.final)
        shutil.rmtree(self.work, ignore_errors=True)


def is_complete(checkpoint: Path) -> bool:
    try:
        json.loads((checkpoint / COMPLETE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(checkpoint.glob("*.safetensors"))


def _agree_with_main(last: str | None, is_main: bool) -> str | None:
    """On several processes, the main process's choice for all of them; a process that cannot
    see that checkpoint is on storage the main process does not write to."""
    chosen = _broadcast_from_main(last)
    if not is_main and chosen and not is_complete(Path(chosen)):
        raise ConfigError(
            f"the main process resumes from {chosen} but this process sees no checkpoint there: "
            "train.output_dir must be on storage every node shares (the main process alone writes checkpoints)"
        )
    return chosen


def _broadcast_from_main(value):
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def read_metrics(folder: str | Path) -> dict:
    """A finished run's metrics.json (`train.evaluate` wrote it)."""
    return json.loads((Path(folder) / METRICS).read_text(encoding="utf-8"))


def read_config(model: str | Path) -> dict | None:
    """The training config a checkpoint (folder or Hub id) was made with, from its
    run_info.json; None when it has none (a model not trained here), or the Hub cannot be reached."""
    folder = Path(model)
    if folder.is_dir():
        stamp = folder / RUN_INFO
        return json.loads(stamp.read_text(encoding="utf-8"))["config"] if stamp.is_file() else None
    if folder.exists():
        return None
    from huggingface_hub import hf_hub_download

    try:
        return json.loads(Path(hf_hub_download(str(model), RUN_INFO)).read_text(encoding="utf-8"))["config"]
    except Exception:  # offline, private or simply absent: the report says "not recorded"
        return None
