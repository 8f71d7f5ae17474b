"""Inference speed: transformers.pipeline against indosec fp32 and indosec fast, same checkpoint,
same sentences, timed in turn in one process.

    python scripts/bench_predict.py outputs/quickstart --sizes 256 2000 --repeats 3 --threads 2 --json reports/bench_predict.json
    python scripts/bench_predict.py outputs/quickstart --onnx before=/tmp/before/model.int8.onnx   # another fast model beside ours
    python scripts/bench_predict.py --table reports/bench_predict.json      # the README's table, from a record
    python scripts/bench_predict.py outputs/quickstart --device cuda        # GPU: pipeline(device=0), indosec fp32 and bf16

For each size, every variant labels the first N sentences once per repeat, the variants taking
turns (A B C D, A B C D, ...), so a machine that gets busier or quieter mid-run shifts all of
them alike. Printed per variant: the best and the median sentences per second over the
repeats, and the best against the default pipeline's best; what length-aware batching gives
(indosec fp32 and fast against the same models batching in input order). Then p50/p95 latency
of one-sentence calls. Sentences per CPU-second (this process's CPU time) are printed beside the
wall-clock figures: on a shared machine they move less with what else runs, as long as
--threads is no more than the cores that are free (threads that wait on a busy core for each
other make every torch variant, the one-sentence pipeline most, look far slower than it is).
The record (--json) holds every run, the machine, the thread count, the
load average before and after, and the library versions; the README's table is printed from it
by --table, and tests/unit/test_readme.py checks that the two agree.

Targets (quickstart checkpoint, CPU): indosec fast >= 8x the default pipeline and, with
--onnx before=<the previous recipe's model>, >= 1.5x that model.

--device cuda measures `pipeline(device=0)` and indosec fp32 and bf16 on the GPU (fast mode is
CPU-only). No GPU figure in the README comes from it yet: no GPU was available to measure.
On a CPU, `--variants ... indosec-bf16` times the torch model cast to bf16: of interest where the
CPU has AMX bf16 matrix units (Intel Sapphire Rapids and later).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"pipeline-default": 8.0, "before": 1.5}  # indosec fast's best against these variants' best

VARIANTS = {
    "pipeline-default": "`transformers.pipeline`, default (one sentence at a time)",
    "pipeline-batch32": "`transformers.pipeline`, `batch_size=32`",
    "indosec-fp32": "`indosec.load(path)`",
    "indosec-fp32-unsorted": "`indosec.load(path)`, batches in input order (`sort_window=batch_size`)",
    "indosec-fast": "`indosec.load(path, fast=True)`",
    "indosec-fast-unsorted": "`indosec.load(path, fast=True)`, batches in input order",
    "indosec-bf16": "`indosec.load(path)`, weights cast to bf16 (GPU; on a CPU only when --variants names it)",
}


def read_sentences(paths: list[Path], limit: int) -> list[str]:
    from indosec.records import read_objects

    texts = [r["text"] for p in paths for r in read_objects(p)]
    if len(texts) < limit:
        texts = (texts * (limit // len(texts) + 1))  # small data (tests): repeat it
    return texts[:limit]


def build_variants(model: str, device: str, threads: int | None, onnx: dict[str, Path], *, cpu_bf16: bool = False) -> dict:
    """name -> function that labels a list of sentences, each built the way a user would (bf16
    on a GPU, and on a CPU only with `cpu_bf16`: fast only where the CPU has AMX bf16 matmuls)."""
    import torch
    from transformers import pipeline

    import indosec
    from indosec.fast import OnnxBackend

    gpu = device != "cpu"
    pipe = pipeline("text-classification", model=model, device=0 if gpu else "cpu")
    fp32 = indosec.load(model, device=device, threads=threads)
    fns = {
        "pipeline-default": lambda texts: pipe(texts),
        "pipeline-batch32": lambda texts: pipe(texts, batch_size=32),
        "indosec-fp32": fp32.predict,
        "indosec-fp32-unsorted": unsorted(fp32).predict,
    }
    if gpu or cpu_bf16:
        bf16 = indosec.load(model, device=device, threads=threads)
        bf16.backend.model.to(torch.bfloat16)
        fns["indosec-bf16"] = bf16.predict
    if gpu:
        return fns
    fast = indosec.load(model, fast=True, threads=threads)
    fns["indosec-fast"] = fast.predict
    fns["indosec-fast-unsorted"] = unsorted(fast).predict
    for name, path in onnx.items():  # same tokenizer, sorting and config: only the ONNX file differs.
        # Run as indosec ran its fast model before issue 21: ONNX Runtime's default fusions, batch 32.
        backend = OnnxBackend(path, threads=threads, disabled_optimizers=())
        fns[name] = indosec.Classifier(backend, fast.tokenizer, fast.config, batch_size=32).predict
    return fns


def unsorted(clf):
    """The same model without length-aware batching: windows of one batch, so each batch is the
    next `batch_size` sentences in input order, padded to its longest (what a plain loop does)."""
    import indosec

    return indosec.Classifier(clf.backend, clf.tokenizer, clf.config, batch_size=clf.batch_size, sort_window=clf.batch_size)


def measure(fns: dict, sentences: list[str], sizes: list[int], repeats: int, latency_samples: int) -> dict:
    results = {}
    for size in sizes:
        texts = sentences[:size]
        for fn in fns.values():
            fn(texts[:32])  # warm-up: first calls allocate and pick kernels
        runs = {name: [] for name in fns}
        cpu = {name: [] for name in fns}
        for _ in range(repeats):
            for name, fn in fns.items():
                start, cpu_start = time.perf_counter(), time.process_time()
                fn(texts)
                runs[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - cpu_start)
                print(f"{size} sentences, run {len(runs[name])}: {name} {size / runs[name][-1]:.1f} sent/s", file=sys.stderr, flush=True)
        results[str(size)] = {
            name: {
                "seconds": runs[name], "cpu_seconds": cpu[name],
                "best_sent_per_s": size / min(runs[name]), "median_sent_per_s": size / statistics.median(runs[name]),
                "best_sent_per_cpu_s": size / min(cpu[name]),
            }
            for name in fns
        }
    latency = {}
    for name, fn in fns.items():
        ms = []
        for text in sentences[:latency_samples]:
            start = time.perf_counter()
            fn([text])
            ms.append((time.perf_counter() - start) * 1000)
        ms.sort()
        latency[name] = {"p50_ms": ms[len(ms) // 2], "p95_ms": ms[min(len(ms) - 1, int(len(ms) * 0.95))]} if ms else None
    return {"sizes": results, "latency": latency}


def environment(threads: int) -> dict:
    import numpy
    import torch
    import transformers

    versions = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__, "numpy": numpy.__version__}
    try:
        import onnxruntime

        versions["onnxruntime"] = onnxruntime.__version__
    except ImportError:
        pass
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines() if line.startswith("model name")), platform.processor())
    machine = {"cpu": cpu, "cpus_visible": os.cpu_count(), "platform": platform.platform()}
    if torch.cuda.is_available():
        machine["gpu"] = torch.cuda.get_device_name(0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"machine": machine, "threads": threads, "versions": versions, "commit": commit or None, "load_average_before": os.getloadavg(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def ratios(record: dict) -> dict:
    """Per size: indosec fast's best against each target variant's best."""
    out = {}
    for size, variants in record["sizes"].items():
        fast = variants.get("indosec-fast")
        if fast:
            out[size] = {base: fast["best_sent_per_s"] / variants[base]["best_sent_per_s"] for base in TARGETS if base in variants}
    return out


def markdown_table(record: dict) -> str:
    """The README's throughput table for a record (one row per variant and size)."""
    lines = ["| sentences | variant | sent/s, best | sent/s, median | × pipeline default (best) | sent per CPU-second, best |",
             "|---|---|---|---|---|---|"]
    for size, variants in record["sizes"].items():
        base = variants.get("pipeline-default", {}).get("best_sent_per_s")
        for name, r in variants.items():
            ratio = f"{r['best_sent_per_s'] / base:.2f}" if base else "-"
            what = VARIANTS.get(name, f"`{name}`: ONNX model given by --onnx, batch 32, ORT default fusions")
            lines.append(f"| {int(size):,} | {what} | {r['best_sent_per_s']:.1f} | {r['median_sent_per_s']:.1f} | {ratio} | {r['best_sent_per_cpu_s']:.1f} |")
    return "\n".join(lines)


def summary(record: dict) -> str:
    env = record["environment"]
    head = (f"checkpoint {record['model']}; device {record['device']}; {env['threads']} threads; {env['machine']['cpu']}, "
            f"{env['machine']['cpus_visible']} CPUs visible; best and median of {record['repeats']} alternating runs\n"
            + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
            + "\nload average (1, 5, 15 min) before: " + ", ".join(f"{x:.2f}" for x in env["load_average_before"])
            + ("; after: " + ", ".join(f"{x:.2f}" for x in env["load_average_after"]) if "load_average_after" in env else ""))
    lines = [head, "", markdown_table(record), ""]
    for name, lat in record["latency"].items():
        if lat:
            lines.append(f"  one sentence per call, {name}: p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms")
    for size, variants in record["sizes"].items():
        for mode in ("fp32", "fast"):
            pair = variants.get(f"indosec-{mode}"), variants.get(f"indosec-{mode}-unsorted")
            if all(pair):
                lines.append(f"{int(size):,} sentences: length-aware batching gives indosec {mode} "
                             f"{pair[0]['best_sent_per_s'] / pair[1]['best_sent_per_s']:.2f}x its input-order speed (best against best)")
    for size, against in ratios(record).items():
        for base, ratio in against.items():
            verdict = "meets" if ratio >= TARGETS[base] else "MISSES"
            lines.append(f"{int(size):,} sentences: indosec fast = {ratio:.2f}x {base} ({verdict} the {TARGETS[base]}x target)")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("model", nargs="?", help="checkpoint folder or Hub id")
    parser.add_argument("--data", type=Path, nargs="+", default=[ROOT / "data" / f"{s}.jsonl" for s in ("test", "validation", "train")])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 2000], help="numbers of sentences to time (the first N of --data)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per size; best and median are reported")
    parser.add_argument("--threads", type=int, help="torch and ONNX Runtime threads (default: torch's default)")
    parser.add_argument("--latency-samples", type=int, default=50, help="one-sentence calls per variant for p50/p95")
    parser.add_argument("--onnx", nargs="+", default=[], metavar="NAME=PATH", help="other fast models to time beside ours (e.g. before=...)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), help="time only these (default: all for --device)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU variants (fp32, bf16, pipeline(device=0))")
    parser.add_argument("--json", type=Path, help="write the record here")
    parser.add_argument("--table", type=Path, metavar="RECORD", help="print the README table of a record and exit")
    args = parser.parse_args(argv)
    if args.table:
        print(markdown_table(json.loads(args.table.read_text(encoding="utf-8"))))
        return
    if not args.model:
        parser.error("give a checkpoint (or --table RECORD)")
    onnx = dict(item.split("=", 1) for item in args.onnx)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    fns = build_variants(args.model, args.device, args.threads, {k: Path(v) for k, v in onnx.items()},
                         cpu_bf16="indosec-bf16" in (args.variants or []))
    if args.variants:
        fns = {name: fn for name, fn in fns.items() if name in args.variants or name in onnx}
    sentences = read_sentences(args.data, max(args.sizes + [args.latency_samples]))
    record = {"command": " ".join(["python", "scripts/bench_predict.py", *(argv if argv is not None else sys.argv[1:])]),
              "model": args.model, "device": args.device, "repeats": args.repeats, "onnx": onnx,
              "environment": environment(torch.get_num_threads())}
    record |= measure(fns, sentences, args.sizes, args.repeats, args.latency_samples)
    record["environment"]["load_average_after"] = os.getloadavg()
    record["ratios"] = ratios(record)
    print(summary(record))
    if args.json:
        from indosec.files import write_json_atomic

        write_json_atomic(args.json, record)
        print(f"\nwrote {args.json}")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


if __name__ == "__main__":
    main()
