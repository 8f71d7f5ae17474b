"""Faults: a run killed with SIGKILL mid-epoch and started again with the same command resumes
from its last complete checkpoint and ends with the metrics of an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, tiny_config
from train.config import ConfigError
from train.resume import RUN_INFO, check_finished_run, last_complete_checkpoint, prepare_work_dir
from train.run import train

# 200 sentences, batch 16: 13 steps an epoch, 26 in all; a checkpoint every 4 steps, so the
# first one (step 4) lands in the middle of the first epoch.
RESUME_OVERRIDES = ("train.eval_steps=4", "train.save_total_limit=2")


def _command(tiny_bert, output_dir):
    overrides = [f"model.model_name_or_path={tiny_bert}", f"train.output_dir={output_dir}", f"data.data_dir={ROOT / 'data'}", *RESUME_OVERRIDES]
    return [sys.executable, "-m", "train", str(ROOT / "configs" / "tiny.yaml"), *overrides]


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _kill_after_first_checkpoint(command, partial, timeout=300):
    proc = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if partial.is_dir() and last_complete_checkpoint(partial):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode


def test_sigkill_mid_epoch_then_the_same_command_resumes_to_identical_metrics(tiny_bert, tmp_path):
    uninterrupted = train(tiny_config(tiny_bert, tmp_path / "uninterrupted", *RESUME_OVERRIDES))

    out = tmp_path / "killed"
    command = _command(tiny_bert, out)
    assert _kill_after_first_checkpoint(command, out / "tiny.partial") == -signal.SIGKILL
    assert not (out / "tiny").exists(), "killed before it finished"
    killed_at = int(last_complete_checkpoint(out / "tiny.partial").rsplit("-", 1)[1])
    assert killed_at < 26

    first_start = json.loads((out / "tiny.partial" / RUN_INFO).read_text())
    second = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"Resuming from {out / 'tiny.partial' / f'checkpoint-{killed_at}'}" in second.stdout
    resumed = json.loads((out / "tiny" / "metrics.json").read_text())
    assert resumed == json.loads(json.dumps(uninterrupted)), "resumed run must end exactly where an uninterrupted one does"
    assert not (out / "tiny.partial").exists()
    info = json.loads((out / "tiny" / RUN_INFO).read_text())  # the first start's provenance, and the resume
    assert {k: v for k, v in info.items() if k != "resumes"} == first_start
    assert [r["from_step"] for r in info["resumes"]] == [killed_at] and info["resumes"][0]["resumed_utc"] >= first_start["created_utc"]


def _fake_checkpoint(partial, step, *, complete=True):
    folder = partial / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    if complete:
        (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    return folder


def test_a_checkpoint_cut_off_while_written_is_skipped_and_removed(tmp_path):
    partial = tmp_path / "run.partial"
    good = _fake_checkpoint(partial, 8)
    torn = _fake_checkpoint(partial, 12, complete=False)
    truncated = _fake_checkpoint(partial, 16)
    (truncated / "trainer_state.json").write_text('{"global_step": 1')
    assert last_complete_checkpoint(partial, remove_torn=True) == str(good)
    assert not torn.exists() and not truncated.exists()


def _info(tiny_bert, tmp_path, *overrides):
    from train.provenance import run_info

    return run_info(tiny_config(tiny_bert, tmp_path, *overrides))


def test_resuming_with_another_config_is_refused_and_names_the_difference(tiny_bert, tmp_path):
    partial = tmp_path / "tiny.partial"
    _fake_checkpoint(partial, 4)
    prepare_work_dir(partial, _info(tiny_bert, tmp_path), resume=True, is_main=True)
    changed = _info(tiny_bert, tmp_path, "train.learning_rate=5e-4")
    with pytest.raises(ConfigError, match=r"config.train.learning_rate: 0.001 \(interrupted run\) vs 0.0005 \(now\)[\s\S]*train.resume=false"):
        prepare_work_dir(partial, changed, resume=True, is_main=True)
    same_but_resume_flag = _info(tiny_bert, tmp_path, "train.resume=true")
    assert prepare_work_dir(partial, same_but_resume_flag, resume=True, is_main=True)[0] == str(partial / "checkpoint-4")


def test_each_resume_is_recorded_and_the_first_start_kept(tiny_bert, tmp_path):
    partial = tmp_path / "tiny.partial"
    first = {**_info(tiny_bert, tmp_path), "created_utc": "2026-01-01T00:00:00+00:00"}
    assert prepare_work_dir(partial, first, resume=True, is_main=True) == (None, first)  # nothing to resume: a fresh start
    _fake_checkpoint(partial, 4)
    later = {**_info(tiny_bert, tmp_path), "created_utc": "2026-01-02T00:00:00+00:00", "git": {"commit": "abc", "dirty": False}}
    last, info = prepare_work_dir(partial, later, resume=True, is_main=True)
    assert last == str(partial / "checkpoint-4") and info["created_utc"] == first["created_utc"] and info["git"] == first["git"]
    assert info["resumes"] == [{"resumed_utc": later["created_utc"], "from_step": 4, "git": later["git"],
                                "versions": later["versions"], "launch": later["launch"]}]
    _fake_checkpoint(partial, 8)
    _, again = prepare_work_dir(partial, later, resume=True, is_main=True)
    assert [r["from_step"] for r in again["resumes"]] == [4, 8]
    assert json.loads((partial / RUN_INFO).read_text()) == again  # what the finished checkpoint's run_info.json gets


def test_a_finished_run_is_not_replaced_by_a_run_with_other_settings(tiny_bert, tmp_path):
    finished = tmp_path / "tiny"
    finished.mkdir()
    (finished / RUN_INFO).write_text(json.dumps(_info(tiny_bert, tmp_path)), encoding="utf-8")
    check_finished_run(finished, _info(tiny_bert, tmp_path), overwrite=False)  # the same command again: fine
    changed = _info(tiny_bert, tmp_path, "train.learning_rate=5e-4")
    with pytest.raises(ConfigError, match=r"finished run[\s\S]*config.train.learning_rate: 0.001 \(finished run\) vs 0.0005 \(now\)"
                                          r"[\s\S]*train.overwrite=true[\s\S]*train.run_name"):
        check_finished_run(finished, changed, overwrite=False)
    check_finished_run(finished, changed, overwrite=True)


def test_training_refuses_before_loading_anything(tiny_run, tiny_bert):
    run_dir, _ = tiny_run
    cfg = tiny_config(tiny_bert, run_dir.parent, "train.learning_rate=5e-4")
    with pytest.raises(ConfigError, match="holds a finished run trained with other settings"):
        train(cfg)
    assert (run_dir / "model.safetensors").is_file()


def test_resume_false_deletes_the_interrupted_run_and_starts_over(tiny_bert, tmp_path):
    partial = tmp_path / "tiny.partial"
    _fake_checkpoint(partial, 4)
    assert prepare_work_dir(partial, _info(tiny_bert, tmp_path), resume=False, is_main=True)[0] is None
    assert sorted(p.name for p in partial.iterdir()) == [RUN_INFO]


def test_a_process_that_cannot_see_the_main_process_checkpoint_stops(tmp_path, monkeypatch):
    import train.resume

    partial = tmp_path / "tiny.partial"
    monkeypatch.setattr(train.resume, "_broadcast_from_main", lambda value: str(partial / "checkpoint-8"))
    with pytest.raises(ConfigError, match="sees no checkpoint: train.output_dir must be on storage every node shares"):
        prepare_work_dir(partial, {}, resume=True, is_main=False)
