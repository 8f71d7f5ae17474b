"""scripts/bench_cli_memory.py runs `indosec predict` as real processes on files of growing
length and reads their peak memory (the verdict depends on the machine; not asserted here)."""

import importlib.util
import json

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_bench_cli_memory_runs_the_command_on_files_of_growing_length(tiny_run, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("bench_cli_memory", ROOT / "scripts" / "bench_cli_memory.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    code = script.main([str(tiny_run.run_dir), "--lines", "3", "40", "--threads", "1", "--json", str(tmp_path / "rss.json")])
    assert code in (0, 1)
    rows = json.loads((tmp_path / "rss.json").read_text(encoding="utf-8"))["rows"]
    assert [r["lines"] for r in rows] == [3, 40] and all(r["peak_rss_mib"] > 50 for r in rows)
    assert "peak RSS 40 lines vs 3" in capsys.readouterr().out
