"""Reproducibility records: what run_info.json says about a run, and what makes two runs
different. (The same config giving the same metrics twice is the kill-and-resume test's
finding: tests/e2e/test_resume.py.)"""

import hashlib
import json
import subprocess

from tests.conftest import ROOT, tiny_config
from train.provenance import git_state, resume_differences, run_info


def test_the_record_has_config_data_hashes_versions_and_launch(tmp_path):
    info = run_info(tiny_config("a-backbone-folder", tmp_path))
    assert info["config"]["train"]["run_name"] == "tiny" and info["config"]["model"]["model_name_or_path"] == "a-backbone-folder"
    for split in ("train", "validation", "test"):
        path = ROOT / "data" / f"{split}.jsonl"
        assert info["data"][split]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert info["data"][f"articles_{split}"]["sha256"] == hashlib.sha256((ROOT / "data" / "articles" / f"{split}.jsonl").read_bytes()).hexdigest()
    assert {"python", "indosec", "torch", "transformers", "datasets", "accelerate"} <= {k for k, v in info["versions"].items() if v}
    assert info["launch"]["world_size"] == 1 and json.loads(json.dumps(info)) == info
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert info["git"]["commit"] == head.stdout.strip() and isinstance(info["git"]["dirty"], bool)
    else:
        assert info["git"] is None


def test_git_state_is_null_outside_a_repository(tmp_path):
    assert git_state(tmp_path) is None


def test_a_changed_data_file_counts_as_a_different_run(tmp_path):
    before = run_info(tiny_config("a-backbone-folder", tmp_path))
    now = json.loads(json.dumps(before))
    now["data"]["train"]["sha256"] = "0" * 64
    now["versions"]["torch"] = "other"  # a library upgrade alone does not block resuming
    assert resume_differences(before, now) == [f"data.train: {before['data']['train']['sha256']!r} (interrupted run) vs {'0' * 64!r} (now)"]
