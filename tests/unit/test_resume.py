"""The run folder's resume rules, on fake checkpoints: the last complete checkpoint, the same-run
check, the record of each resume, a finished run kept from a run with other settings, and
several processes agreeing on where to resume. (The real kill-and-resume: tests/e2e/test_resume.py.)"""

import json

import pytest

import train.run_folder
from tests.conftest import tiny_config
from train.config import ConfigError
from train.provenance import run_info
from train.run_folder import RUN_INFO, RunFolder


def _fake_checkpoint(partial, step, *, complete=True):
    folder = partial / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    if complete:
        (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    return folder


def _info(tmp_path, *overrides):
    return run_info(tiny_config("a-backbone-folder", tmp_path, *overrides))


def test_a_checkpoint_cut_off_while_written_is_skipped_and_removed(tmp_path):
    folder = RunFolder(tmp_path / "run")
    good = _fake_checkpoint(folder.work, 8)
    torn = _fake_checkpoint(folder.work, 12, complete=False)
    truncated = _fake_checkpoint(folder.work, 16)
    (truncated / "trainer_state.json").write_text('{"global_step": 1')
    assert folder.last_complete_checkpoint() == str(good)
    assert not torn.exists() and not truncated.exists()


def test_resuming_with_another_config_is_refused_and_names_the_difference(tmp_path):
    folder = RunFolder(tmp_path / "tiny")
    _fake_checkpoint(folder.work, 4)
    folder.prepare(_info(tmp_path), resume=True, is_main=True)
    changed = _info(tmp_path, "train.learning_rate=5e-4")
    with pytest.raises(ConfigError, match=r"config.train.learning_rate: 0.001 \(interrupted run\) vs 0.0005 \(now\)[\s\S]*train.resume=false"):
        folder.prepare(changed, resume=True, is_main=True)
    same_but_resume_flag = _info(tmp_path, "train.resume=true")
    assert folder.prepare(same_but_resume_flag, resume=True, is_main=True)[0] == str(folder.work / "checkpoint-4")


def test_each_resume_is_recorded_and_the_first_start_kept(tmp_path):
    folder = RunFolder(tmp_path / "tiny")
    first = {**_info(tmp_path), "created_utc": "2026-01-01T00:00:00+00:00"}
    assert folder.prepare(first, resume=True, is_main=True) == (None, first)  # nothing to resume: a fresh start
    _fake_checkpoint(folder.work, 4)
    later = {**_info(tmp_path), "created_utc": "2026-01-02T00:00:00+00:00", "git": {"commit": "abc", "dirty": False}}
    last, info = folder.prepare(later, resume=True, is_main=True)
    assert last == str(folder.work / "checkpoint-4") and info["created_utc"] == first["created_utc"] and info["git"] == first["git"]
    assert info["resumes"] == [{"resumed_utc": later["created_utc"], "from_step": 4, "git": later["git"],
                                "versions": later["versions"], "launch": later["launch"]}]
    _fake_checkpoint(folder.work, 8)
    _, again = folder.prepare(later, resume=True, is_main=True)
    assert [r["from_step"] for r in again["resumes"]] == [4, 8]
    assert json.loads((folder.work / RUN_INFO).read_text()) == again  # what the finished checkpoint's run_info.json gets


def test_a_finished_run_is_not_replaced_by_a_run_with_other_settings(tmp_path):
    folder = RunFolder(tmp_path / "tiny")
    folder.final.mkdir()
    (folder.final / RUN_INFO).write_text(json.dumps(_info(tmp_path)), encoding="utf-8")
    folder.check_finished(_info(tmp_path), overwrite=False)  # the same command again: fine
    changed = _info(tmp_path, "train.learning_rate=5e-4")
    with pytest.raises(ConfigError, match=r"finished run[\s\S]*config.train.learning_rate: 0.001 \(finished run\) vs 0.0005 \(now\)"
                                          r"[\s\S]*train.overwrite=true[\s\S]*train.run_name"):
        folder.check_finished(changed, overwrite=False)
    folder.check_finished(changed, overwrite=True)


def test_resume_false_deletes_the_interrupted_run_and_starts_over(tmp_path):
    folder = RunFolder(tmp_path / "tiny")
    _fake_checkpoint(folder.work, 4)
    assert folder.prepare(_info(tmp_path), resume=False, is_main=True)[0] is None
    assert sorted(p.name for p in folder.work.iterdir()) == [RUN_INFO]


def test_a_process_that_cannot_see_the_main_process_checkpoint_stops(tmp_path, monkeypatch):
    folder = RunFolder(tmp_path / "tiny")
    monkeypatch.setattr(train.run_folder, "_broadcast_from_main", lambda value: str(folder.work / "checkpoint-8"))
    with pytest.raises(ConfigError, match="sees no checkpoint there: train.output_dir must be on storage every node shares"):
        folder.prepare({}, resume=True, is_main=False)


def test_publishing_replaces_the_finished_run_in_one_rename_and_drops_the_checkpoints(tmp_path):
    folder = RunFolder(tmp_path / "tiny")
    folder.final.mkdir()
    (folder.final / "old.txt").write_text("the finished run before")
    _fake_checkpoint(folder.work, 4)
    (folder.fresh_staging() / "model.safetensors").write_bytes(b"new weights")
    folder.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"] and [p.name for p in folder.final.iterdir()] == ["model.safetensors"]
