"""The entry points as a user runs them, as real subprocesses: an error is one line with the
README's exit status (2: nothing could be done) and never a traceback, `python -m` passes the
exit status on, a real pipe is read, and a call prints no loading progress bar. (The messages
of every mistake, in this process: tests/unit/test_entry_points.py.)"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.integration.test_predict import SENTENCES

pytestmark = pytest.mark.slow
INDOSEC = [sys.executable, "-m", "indosec.cli", "predict"]


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, **kwargs)


@pytest.mark.parametrize("cmd, fragment", [
    ([sys.executable, "-m", "train", "configs/quickstar.yaml"], "config file 'configs/quickstar.yaml' not found"),
    ([sys.executable, "-m", "train.evaluate", "--model", "./outputs/no-such-run", "--data", "data/test.jsonl", "--out", "x"], "./outputs/no-such-run: no such folder"),
    ([*INDOSEC, "--input", "missing.jsonl", "--model", "x"], "missing.jsonl: no such file"),
])
def test_an_error_is_one_line_and_exit_status_2(cmd, fragment):
    done = run(cmd)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and fragment in errors[0], done.stderr


def test_a_real_pipe(tiny_run):
    done = run([*INDOSEC, "--model", str(tiny_run.run_dir), "--no-progress"], input=f"{SENTENCES[0]}\n{SENTENCES[1]}\n")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["text"] for line in done.stdout.splitlines()] == SENTENCES[:2]


@pytest.mark.parametrize("fast", [[], ["--fast"]])
def test_a_cli_call_prints_no_loading_progress_bar(tiny_run, indosec_cache, fast):
    """--fast reads the session's export when tests/integration/test_fast.py made it, else exports (loading the weights)."""
    done = run([*INDOSEC, SENTENCES[0], "--model", str(tiny_run.run_dir), *fast], env=dict(os.environ, INDOSEC_CACHE=str(indosec_cache)))
    assert done.returncode == 0 and "Loading weights" not in done.stderr, done.stderr
