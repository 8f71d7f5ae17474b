"""Inference speed on the CPU: transformers.pipeline against indosec fp32 and indosec fast,
same checkpoint, same sentences, one run.

    python scripts/bench_predict.py outputs/quickstart [--threads 2] [--rounds 3]
    taskset -c 0,1 python scripts/bench_predict.py outputs/quickstart --threads 2   # a 2-core laptop

Prints, per variant: sentences per second over all sentences (median of --rounds), p50/p95
latency of single-sentence calls, load time, peak memory (max RSS of the process), and
sentences per CPU-second (CPU time of all the process's threads: work done, which other jobs
on the machine disturb far less than wall-clock time). Each variant runs in its own fresh
process, so peak memory and thread pools are its own. Everything runs on the CPU.
Target with the quickstart checkpoint on 2 cores: indosec fast >= 5x the default pipeline.
Numbers from a machine shared with other jobs are noise; run it on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 5  # indosec fast against the default pipeline, quickstart checkpoint, 2 cores

VARIANTS = {
    "pipeline-default": "transformers.pipeline, default settings (one sentence at a time)",
    "pipeline-batch32": "transformers.pipeline, batch_size=32",
    "indosec-fp32": "indosec.load(path)",
    "indosec-fast": "indosec.load(path, fast=True)",
}


def read_sentences(paths: list[Path], limit: int | None) -> list[str]:
    from indosec.records import read_objects

    texts = [r["text"] for p in paths for r in read_objects(p)]
    return texts[:limit] if limit else texts


def load_variant(name: str, model: str):
    """A function that labels a list of sentences, built the way a user would build it."""
    if name.startswith("pipeline"):
        from transformers import pipeline

        pipe = pipeline("text-classification", model=model, device="cpu")
        kwargs = {"batch_size": 32} if name == "pipeline-batch32" else {}
        return lambda texts: pipe(texts, **kwargs)
    import indosec

    clf = indosec.load(model, device=None if name == "indosec-fast" else "cpu", fast=name == "indosec-fast")
    return clf.predict


def run_worker(args) -> dict:
    """Measure one variant in this process; the parent reads the JSON we print."""
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    texts = read_sentences(args.data, args.limit)
    start = time.perf_counter()
    predict = load_variant(args.worker, args.model)
    load_s = time.perf_counter() - start
    predict(texts[:32])  # warm-up: first calls allocate and pick kernels

    rates, cpu_rates = [], []
    for _ in range(args.rounds):
        start, cpu_start = time.perf_counter(), time.process_time()
        predict(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
        cpu_rates.append(len(texts) / (time.process_time() - cpu_start))

    latencies = []
    for text in texts[: args.latency_samples]:
        start = time.perf_counter()
        predict([text])
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return {
        "variant": args.worker,
        "sentences": len(texts),
        "threads": torch.get_num_threads(),
        "sent_per_s": statistics.median(rates),
        "sent_per_cpu_s": statistics.median(cpu_rates),
        "p50_ms": latencies[len(latencies) // 2],
        "p95_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
        "load_s": load_s,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))  # the whole first paragraph
    parser.add_argument("model", help="checkpoint folder or Hub id")
    parser.add_argument("--data", type=Path, nargs="+", default=[ROOT / "data" / f"{s}.jsonl" for s in ("test", "validation", "train")])
    parser.add_argument("--limit", type=int, help="use only the first N sentences")
    parser.add_argument("--threads", type=int, help="torch / ONNX Runtime threads (default: torch's default)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over all sentences; the median is printed")
    parser.add_argument("--latency-samples", type=int, default=100, help="single-sentence calls for p50/p95")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--worker", choices=list(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args)))
        return

    if "indosec-fast" in args.variants:  # export once now, so "load" below is the cached load
        subprocess.run([sys.executable, "-c", f"import indosec; indosec.load({args.model!r}, fast=True)"], check=True,
                       cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = []
    for name in args.variants:
        cmd = [sys.executable, str(Path(__file__).resolve()), args.model, "--worker", name, "--rounds", str(args.rounds),
               "--latency-samples", str(args.latency_samples), "--data", *map(str, args.data)]
        cmd += ["--threads", str(args.threads)] if args.threads else []
        cmd += ["--limit", str(args.limit)] if args.limit else []
        done = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"done: {name}", file=sys.stderr)
    print_table(results, args.model)


def print_table(results: list[dict], model: str) -> None:
    first = results[0]
    print(f"\ncheckpoint {model}; {first['sentences']} sentences; {first['threads']} threads; {os.cpu_count()} CPUs visible")
    print(f"{'variant':<18}{'sent/s':>9}{'x default':>11}{'p50 ms':>9}{'p95 ms':>9}{'load s':>8}{'peak MiB':>10}{'sent/CPU-s':>12}")
    base = next((r["sent_per_s"] for r in results if r["variant"] == "pipeline-default"), None)
    for r in results:
        ratio = f"{r['sent_per_s'] / base:.2f}" if base else "-"
        print(f"{r['variant']:<18}{r['sent_per_s']:>9.1f}{ratio:>11}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
              f"{r['load_s']:>8.1f}{r['peak_rss_mib']:>10.0f}{r['sent_per_cpu_s']:>12.1f}")
    print()
    for name, what in VARIANTS.items():
        print(f"  {name:<18}{what}")
    fast = next((r for r in results if r["variant"] == "indosec-fast"), None)
    if base and fast:
        verdict = "meets" if fast["sent_per_s"] >= TARGET_RATIO * base else "MISSES"
        print(f"\nindosec fast = {fast['sent_per_s'] / base:.2f}x the default pipeline ({verdict} the {TARGET_RATIO}x target)")


def _env() -> dict:
    # the worker must import this checkout's indosec, whatever the caller's cwd
    return os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                         "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}


if __name__ == "__main__":
    main()
