"""The training entry point under torchrun and accelerate launch: 2 CPU processes (gloo) train
one DDP job, and only the main process writes one complete checkpoint."""

import json
import math
import os
import socket
import subprocess
import sys

import pytest

from train.config import load_config

from tests.conftest import ROOT

LAUNCHERS = {
    "torchrun": ["-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port={port}"],
    "accelerate": ["-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes=2", "--num_machines=1",
                   "--mixed_precision=no", "--dynamo_backend=no", "--main_process_port={port}"],
}


def _launch(launcher, tiny_bert, output_dir):
    port = _free_port()
    command = [sys.executable, *(a.format(port=port) for a in LAUNCHERS[launcher]), "-m", "train", str(ROOT / "configs" / "tiny.yaml"),
               f"model.model_name_or_path={tiny_bert}", f"train.output_dir={output_dir}", f"data.data_dir={ROOT / 'data'}", f"data.article_dir={ROOT / 'data' / 'articles'}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_process_runs(tiny_bert, tmp_path_factory):
    runs = {}
    for launcher in LAUNCHERS:
        out = tmp_path_factory.mktemp(launcher)
        done = _launch(launcher, tiny_bert, out)
        assert done.returncode == 0, f"{launcher} failed:\n{done.stderr[-4000:]}"
        runs[launcher] = (out, done)
    return runs


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_two_processes_train_one_job_and_write_one_complete_checkpoint(two_process_runs, launcher):
    out, done = two_process_runs[launcher]
    assert sorted(p.name for p in out.iterdir()) == ["tiny"], "one checkpoint, no .partial or .old left behind"
    run_dir = out / "tiny"
    names = sorted(p.name for p in run_dir.iterdir())
    assert {"model.safetensors", "config.json", "tokenizer.json", "README.md", "metrics.json", "run_info.json"} <= set(names)
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], "no half-written files from a second writer"
    info = json.loads((run_dir / "run_info.json").read_text())
    assert info["launch"]["world_size"] == 2
    # 200 sentences and 50 article sentences over 2 processes at 16 each: 8 steps an epoch, 16 for 2 epochs (one process: 32)
    steps = max(entry.get("step", 0) for entry in json.loads((run_dir / "train_log.json").read_text()))
    assert steps == 2 * math.ceil((200 + 50) / 2 / 16)
    # evaluation gathers both processes' shares without the sampler's padding duplicates
    metrics = json.loads((run_dir / "metrics.json").read_text())
    test_rows = sum(1 for line in (ROOT / "data" / "test.jsonl").open() if line.strip())
    evaluated = min(test_rows, load_config([ROOT / "configs" / "tiny.yaml"]).data.max_eval_samples or test_rows)
    assert sum(v["support"] for v in metrics["model"]["per_class"].values()) == evaluated  # every row once, not once per process
    assert done.stdout.count('"checkpoint":') == 1, "both processes finish (exit 0 above); only the main one reports"


def test_torchrun_and_accelerate_launch_give_the_same_result(two_process_runs):
    metrics = [json.loads((out / "tiny" / "metrics.json").read_text()) for out, _ in two_process_runs.values()]
    assert metrics[0] == metrics[1]
