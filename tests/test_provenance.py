"""Reproducibility: same seed and config, same metrics; the checkpoint says what made it."""

import hashlib
import json
import subprocess

from tests.conftest import ROOT, tiny_config
from train.provenance import git_state, resume_differences, run_info
from train.run import train


def test_the_same_seed_and_config_give_identical_metrics_twice(tiny_run, tiny_bert, tmp_path):
    _, first = tiny_run
    second = train(tiny_config(tiny_bert, tmp_path))
    assert json.loads(json.dumps(second)) == json.loads(json.dumps(first))


def test_the_checkpoint_records_config_data_hashes_versions_and_commit(tiny_run):
    run_dir, _ = tiny_run
    info = json.loads((run_dir / "run_info.json").read_text())
    assert info["config"]["train"]["run_name"] == "tiny" and not (run_dir / "training_config.json").exists()  # the config, once
    for split in ("train", "validation", "test"):
        path = ROOT / "data" / f"{split}.jsonl"
        assert info["data"][split]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    versions = info["versions"]
    assert {"python", "indosec", "torch", "transformers", "datasets", "accelerate"} <= {k for k, v in versions.items() if v}
    assert info["launch"]["world_size"] == 1
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert info["git"]["commit"] == head.stdout.strip() and isinstance(info["git"]["dirty"], bool)
    else:
        assert info["git"] is None


def test_git_state_is_null_outside_a_repository(tmp_path):
    assert git_state(tmp_path) is None


def test_a_changed_data_file_counts_as_a_different_run(tiny_bert, tmp_path):
    before = run_info(tiny_config(tiny_bert, tmp_path))
    now = json.loads(json.dumps(before))
    now["data"]["train"]["sha256"] = "0" * 64
    now["versions"]["torch"] = "other"  # a library upgrade alone does not block resuming
    assert resume_differences(before, now) == [f"data.train: {before['data']['train']['sha256']!r} (interrupted run) vs {'0' * 64!r} (now)"]
