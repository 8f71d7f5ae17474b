"""Peak memory of `indosec predict --input FILE` as the file grows: the CLI streams, so a
100,000-line file should need no more memory than a 1,000-line one.

    python scripts/bench_cli_memory.py outputs/quickstart --lines 1000 100000 --fast [--threads 2] [--json out.json]

Each file is the data sentences repeated up to N lines; each run is a fresh `indosec predict`
process, its peak resident memory read from the kernel when it exits (os.wait4). Exits 1 when
the largest file's peak exceeds the smallest's by more than --max-growth (default 10%).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_lines(path: Path, n: int, data: list[Path]) -> None:
    from indosec.records import read_objects

    texts = [r["text"] for p in data for r in read_objects(p)]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(texts[i % len(texts)] + "\n")


def run_cli(model: str, path: Path, extra: list[str]) -> dict:
    """One `indosec predict` process over `path`: its peak RSS and wall time."""
    cmd = [sys.executable, "-m", "indosec.cli", "predict", "--input", str(path), "--output", os.devnull, "--model", model, "--no-progress", *extra]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"indosec predict failed on {path} (exit {proc.returncode}):\n{stderr[-2000:]}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}  # KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="checkpoint folder or Hub id")
    parser.add_argument("--lines", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--data", type=Path, nargs="+", default=[ROOT / "data" / f"{s}.jsonl" for s in ("test", "validation", "train")])
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--max-growth", type=float, default=0.10, help="allowed growth of peak RSS from the smallest to the largest file")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    extra = (["--fast"] if args.fast else ["--device", "cpu"]) + (["--threads", str(args.threads)] if args.threads else [])
    if args.fast:  # export once first, so every measured run is a cached load
        with tempfile.TemporaryDirectory() as tmp:
            write_lines(Path(tmp) / "warm.txt", 1, args.data)
            run_cli(args.model, Path(tmp) / "warm.txt", extra)
    rows = []
    with tempfile.TemporaryDirectory(prefix="indosec-rss-") as tmp:
        for n in sorted(args.lines):
            path = Path(tmp) / f"{n}.txt"
            write_lines(path, n, args.data)
            r = run_cli(args.model, path, extra) | {"lines": n}
            rows.append(r)
            print(f"{n:>9,} lines: peak RSS {r['peak_rss_mib']:.0f} MiB, {r['seconds']:.1f} s ({n / r['seconds']:.0f} lines/s)")
            path.unlink()
    growth = rows[-1]["peak_rss_mib"] / rows[0]["peak_rss_mib"] - 1
    ok = growth <= args.max_growth
    print(f"peak RSS {rows[-1]['lines']:,} lines vs {rows[0]['lines']:,}: {growth:+.1%} ({'within' if ok else 'NOT within'} {args.max_growth:.0%})")
    if args.json:
        from indosec.files import write_json_atomic

        write_json_atomic(args.json, {"model": args.model, "options": extra, "rows": rows, "growth": growth})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
