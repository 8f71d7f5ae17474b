"""The GPU box's run, rehearsed at IndoBERT-base's size on this CPU (train/rehearse.py).

Slow (minutes on 2 cores) but run by `make test` and CI: it is the only check that
configs/indobert-base.yaml, a 110M-parameter model, its fast-mode export and a tokenizer built
from vocab.txt alone work together. `make check` leaves it out while iterating.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from train.backbones.indobert_shaped import INDOBERT_BASE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    out = tmp_path_factory.mktemp("rehearsal")
    env = {**os.environ, "OMP_NUM_THREADS": str(os.cpu_count() or 1)}  # a 110M model, unlike the tiny ones, gains from every core
    done = subprocess.run([sys.executable, "-m", "train.rehearse", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, done.stdout


def test_the_shaped_backbone_matches_indobert_base(rehearsal):
    folder = rehearsal[0] / "indobert-shaped"
    config = json.loads((folder / "config.json").read_text())
    assert {k: config[k] for k in INDOBERT_BASE} == INDOBERT_BASE
    # as on the Hub: the tokenizer is vocab.txt and do_lower_case, with no length limit of its own
    assert json.loads((folder / "tokenizer_config.json").read_text()) == {"do_lower_case": True}
    assert not (folder / "tokenizer.json").exists()
    assert len((folder / "vocab.txt").read_text(encoding="utf-8").splitlines()) == 50000


def test_rehearsal_runs_every_stage_at_indobert_base_size(rehearsal):
    out, printed = rehearsal
    assert "Rehearsal passed" in printed
    checkpoint = out / "indobert-base"
    config = json.loads((checkpoint / "config.json").read_text())
    assert config["hidden_size"] == 768 and config["num_hidden_layers"] == 12
    assert json.loads((checkpoint / "tokenizer_config.json").read_text())["model_max_length"] == 128
    assert "A stand-in, not IndoBERT" in (checkpoint / "README.md").read_text()
