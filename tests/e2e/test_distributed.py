"""The training entry point under torchrun: 2 CPU processes (gloo) train one DDP job, and only the
main process evaluates and writes one complete checkpoint; the backbone has the SentencePiece
tokenizer of the quickstart's, which the checkpoint keeps. (`accelerate launch --multi_gpu`
starts the same torch.distributed.run underneath; the suite launches torchrun only, to keep to
three tiny training runs.)"""

import json
import math
import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_process_run(tiny_sentencepiece_bert, tmp_path_factory):
    out = tmp_path_factory.mktemp("torchrun")
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}",
               "-m", "train", str(ROOT / "configs" / "tiny.yaml"), f"model.model_name_or_path={tiny_sentencepiece_bert}", f"train.output_dir={out}",
               f"data.data_dir={ROOT / 'data'}", f"data.article_dir={ROOT / 'data' / 'articles'}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"torchrun failed:\n{done.stderr[-4000:]}"
    return out, done


def test_two_processes_train_one_job_and_write_one_complete_checkpoint(two_process_run):
    out, done = two_process_run
    assert sorted(p.name for p in out.iterdir()) == ["tiny"], "one checkpoint, no .partial or .old left behind"
    run_dir = out / "tiny"
    names = sorted(p.name for p in run_dir.iterdir())
    assert {"model.safetensors", "config.json", "tokenizer.json", "README.md", "metrics.json", "run_info.json"} <= set(names)
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], "no half-written files from a second writer"
    info = json.loads((run_dir / "run_info.json").read_text())
    assert info["launch"]["world_size"] == 2 and "× 2 processes" in (run_dir / "README.md").read_text()
    # 200 sentences and 50 article sentences over 2 processes at 16 each: 8 steps an epoch, 16 for 2 epochs (one process: 32)
    steps = max(entry.get("step", 0) for entry in json.loads((run_dir / "train_log.json").read_text()))
    assert steps == 2 * math.ceil((200 + 50) / 2 / 16)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["n"] == 60 and sum(v["support"] for v in metrics["model"]["per_class"].values()) == 60  # configs/tiny.yaml's sample
    assert done.stdout.count('"checkpoint":') == 1, "both processes finish (exit 0 above); only the main one reports"


def test_the_checkpoint_keeps_the_sentencepiece_tokenizer_at_the_trained_length(two_process_run):
    run_dir = two_process_run[0] / "tiny"
    assert json.loads((run_dir / "tokenizer.json").read_text(encoding="utf-8"))["model"]["type"] == "Unigram"
    assert json.loads((run_dir / "tokenizer_config.json").read_text())["model_max_length"] == 64
