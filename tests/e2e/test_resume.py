"""Faults: a run killed with SIGKILL mid-epoch and started again with the same command resumes
from its last complete checkpoint and ends with the metrics of the uninterrupted session run, in
place of a finished run of the same command. (The rules on fake checkpoints: tests/unit/test_resume.py.)"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SESSION_OVERRIDES
from train.run_folder import RUN_INFO, RunFolder

pytestmark = pytest.mark.slow


def _command(backbone, output_dir):
    """The command the session run stands for (tests/conftest.py, `tiny_run`), with another output_dir."""
    overrides = [f"model.model_name_or_path={backbone}", f"train.output_dir={output_dir}", f"data.data_dir={ROOT / 'data'}",
                 f"data.article_dir={ROOT / 'data' / 'articles'}", *SESSION_OVERRIDES]
    return [sys.executable, "-m", "train", str(ROOT / "configs" / "tiny.yaml"), *overrides]


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _kill_after_first_checkpoint(command, folder, timeout=300):
    proc = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if folder.work.is_dir() and any(p.name.startswith("checkpoint-") and (p / "trainer_state.json").is_file() for p in folder.work.iterdir()):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode


def _a_finished_run_of_the_same_command(tiny_run, out):
    """The session checkpoint, as if this command had made it: the folder a rerun must replace."""
    finished = out / "tiny"
    shutil.copytree(tiny_run.run_dir, finished)
    info = json.loads((finished / RUN_INFO).read_text())
    info["config"]["train"]["output_dir"] = str(out)
    (finished / RUN_INFO).write_text(json.dumps(info))


def test_sigkill_mid_epoch_then_the_same_command_resumes_to_identical_metrics(tiny_run, tiny_bert, tmp_path):
    out = tmp_path / "killed"
    folder, command = RunFolder(out / "tiny"), _command(tiny_bert, out)
    _a_finished_run_of_the_same_command(tiny_run, out)
    assert _kill_after_first_checkpoint(command, folder) == -signal.SIGKILL
    killed_at = int(folder.last_complete_checkpoint().rsplit("-", 1)[1])
    assert killed_at < 16 and not json.loads((folder.final / RUN_INFO).read_text()).get("resumes"), "killed before it finished"

    first_start = json.loads((folder.work / RUN_INFO).read_text())
    second = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"Resuming from {folder.work / f'checkpoint-{killed_at}'}" in second.stdout
    resumed = json.loads((folder.final / "metrics.json").read_text())
    assert resumed == json.loads(json.dumps(tiny_run.metrics)), "a resumed run must end exactly where an uninterrupted one does"
    assert sorted(p.name for p in out.iterdir()) == ["tiny"]  # the finished run replaced in one rename; nothing left over
    info = json.loads((folder.final / RUN_INFO).read_text())  # the first start's provenance, and the resume
    assert {k: v for k, v in info.items() if k != "resumes"} == first_start
    assert [r["from_step"] for r in info["resumes"]] == [killed_at] and info["resumes"][0]["resumed_utc"] >= first_start["created_utc"]
