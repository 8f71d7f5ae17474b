"""Training throughput and peak memory of this project's batching (dynamic padding, length-grouped
batches) against transformers' text-classification example (every batch padded to 128 tokens,
random order), on the same data, model and batch size, in one run, with the ratio.

    python scripts/bench_train.py configs/quickstart.yaml [section.key=value ...] [--steps 20] [--warmup 3]
    python scripts/bench_train.py configs/indobert-base.yaml --model-size indobert-base --precision bf16 --steps 100

--model-size indobert-base trains a randomly initialised model of IndoBERT-base's shape (12 layers,
hidden 768, 12 heads, intermediate 3072, vocabulary 50,000), so no download is needed; sentences
are still tokenised with the config's tokenizer. Each variant runs in its own child process, so
peak memory (CUDA: peak allocated; CPU: peak resident set of the process) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import torch
from datasets import Dataset
from transformers import (
    AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertForSequenceClassification,
    DataCollatorWithPadding, Trainer, TrainerCallback, TrainingArguments, default_data_collator,
)

from train.config import load_config
from train.data.sentences import to_examples, validate
from train.run_plan import choose_precision
from train.backbones import resolve_backbone
from train.fit import tokenize

VARIANTS = {
    "dynamic": "dynamic padding, length-grouped (ours)",
    "pad128": "pad every batch to 128 (HF example)",
}
EXAMPLE_MAX_LENGTH = 128  # run_classification.py: max_seq_length=128, pad_to_max_length=True


def indobert_base_config(num_labels: int):
    """IndoBERT-base (indobenchmark/indobert-base-p1) shape, written out: the Hub is not needed."""
    return BertConfig(
        vocab_size=50000, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
        intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2, num_labels=num_labels,
    )


def build_model(cfg, model_size: str, num_labels: int):
    if model_size == "indobert-base":
        torch.manual_seed(cfg.train.seed)
        return BertForSequenceClassification(indobert_base_config(num_labels))
    model = AutoModelForSequenceClassification.from_pretrained(resolve_backbone(cfg.model.model_name_or_path), num_labels=num_labels)
    if cfg.model.freeze_embeddings:  # as train/fit.py does: no gradient or optimizer state for them
        model.get_input_embeddings().weight.requires_grad_(False)
    return model


class _CountingCollator:
    """Wraps a collator to record how many tokens each batch really has and how many it pads to."""

    def __init__(self, collate):
        self.collate, self.padded, self.real, self.samples = collate, 0, 0, 0

    def __call__(self, features):
        batch = self.collate(features)
        self.padded += batch["input_ids"].numel()
        self.real += int(batch["attention_mask"].sum())
        self.samples += batch["input_ids"].shape[0]
        return batch


def measure(cfg, variant: str, *, steps: int, warmup: int, model_size: str = "config", precision: str | None = None) -> dict:
    """Train `warmup + steps` optimizer steps and time the last `steps` of them."""
    m, t = cfg.model, cfg.train
    examples = to_examples(validate(cfg.data)["train"], cfg.data.labels)  # the sentence train split, every row
    tokenizer = AutoTokenizer.from_pretrained(resolve_backbone(m.model_name_or_path))
    if variant == "dynamic":
        data, collate = tokenize(examples, tokenizer, m.max_length), DataCollatorWithPadding(tokenizer)
    else:
        data = Dataset.from_list([{"text": e["text"], "labels": e["label"]} for e in examples]).map(
            lambda b: tokenizer(b["text"], truncation=True, max_length=EXAMPLE_MAX_LENGTH, padding="max_length"),
            batched=True, remove_columns=["text"],
        )
        collate = default_data_collator
    model = build_model(cfg, model_size, len(cfg.data.labels))
    if model_size == "indobert-base" and tokenizer.vocab_size > model.config.vocab_size:
        raise SystemExit(f"the config's tokenizer has {tokenizer.vocab_size} tokens, more than IndoBERT's 50,000")
    counter = _CountingCollator(collate)
    timer = StepTimer(warmup)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, max_steps=warmup + steps, seed=t.seed, learning_rate=t.learning_rate,
            per_device_train_batch_size=t.per_device_train_batch_size, gradient_accumulation_steps=t.gradient_accumulation_steps,
            train_sampling_strategy="group_by_length" if variant == "dynamic" else "random",
            dataloader_drop_last=True,  # every timed step sees a full batch in both variants
            save_strategy="no", eval_strategy="no", logging_strategy="no", report_to="none", disable_tqdm=True,
            use_cpu=not torch.cuda.is_available(), average_tokens_across_devices=False,
            **{k: v for k, v in choose_precision(precision or t.precision).items() if k in ("bf16", "fp16")},
        )
        trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=counter, callbacks=[timer])
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        trainer.train()
    samples = steps * t.per_device_train_batch_size * t.gradient_accumulation_steps * args.world_size
    seconds, cpu_seconds = (b - a for a, b in zip(timer.start, timer.end))
    cuda = torch.cuda.is_available()
    return {
        "variant": variant, "samples_per_second": samples / seconds, "seconds": seconds, "timed_steps": steps,
        "cpu_ms_per_sample": 1000 * cpu_seconds / samples,
        "timed_samples": samples, "padded_tokens_per_sample": counter.padded / counter.samples,
        "real_tokens_per_sample": counter.real / counter.samples,
        "peak_memory_mb": (torch.cuda.max_memory_allocated() if cuda else _peak_rss_bytes()) / 2**20,
        "memory_kind": "CUDA peak allocated" if cuda else "process peak RSS",
        "device": torch.cuda.get_device_name(0) if cuda else f"cpu ({torch.get_num_threads()} threads)",
        "parameters": model.num_parameters(), "precision": "bf16" if args.bf16 else "fp16" if args.fp16 else "fp32",
        "batch_size": t.per_device_train_batch_size, "world_size": args.world_size,
    }


class StepTimer(TrainerCallback):
    """Records the time after the last warm-up step and after the last step (CUDA synchronised)."""

    def __init__(self, warmup: int):
        self.warmup, self.start, self.end = warmup, None, None

    def on_train_begin(self, args, state, control, **kwargs):
        if self.warmup == 0:
            self.start = _now()

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.warmup:
            self.start = _now()
        if state.global_step == args.max_steps:
            self.end = _now()


def _now() -> tuple[float, float]:
    """Wall clock, and this process's CPU time: on a CPU shared with other jobs the second is
    the steadier measure of work (with OMP_NUM_THREADS=1, as spinning threads inflate it)."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter(), time.process_time()


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def report(results: list[dict]) -> str:
    ours, example = (next(r for r in results if r["variant"] == v) for v in ("dynamic", "pad128"))
    first = results[0]
    lines = [
        f"device {first['device']}, {first['parameters'] / 1e6:.1f}M parameters, {first['precision']}, "
        f"batch {first['batch_size']} x {first['world_size']} process(es), {first['timed_steps']} timed steps",
        f"{'variant':<42}{'samples/s':>10}{'CPU ms/sample':>15}{'tokens/sample':>15}{'peak MB':>10}  ({first['memory_kind']})",
    ]
    for r in results:
        lines.append(
            f"{VARIANTS[r['variant']]:<42}{r['samples_per_second']:>10.1f}{r['cpu_ms_per_sample']:>15.1f}"
            f"{r['padded_tokens_per_sample']:>15.1f}{r['peak_memory_mb']:>10.0f}"
        )
    lines.append(
        f"ratio ours / example: samples/s x{ours['samples_per_second'] / example['samples_per_second']:.2f}, "
        f"CPU time per sample x{ours['cpu_ms_per_sample'] / example['cpu_ms_per_sample']:.2f}, "
        f"peak memory x{ours['peak_memory_mb'] / example['peak_memory_mb']:.2f}, "
        f"padded tokens x{ours['padded_tokens_per_sample'] / example['padded_tokens_per_sample']:.2f} "
        f"(real tokens per sample {ours['real_tokens_per_sample']:.1f})"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/bench_train.py", description=__doc__.splitlines()[0])
    parser.add_argument("items", nargs="+", metavar="CONFIG_OR_OVERRIDE")
    parser.add_argument("--steps", type=int, default=20, help="timed optimizer steps per variant")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (allocator, kernels, caches)")
    parser.add_argument("--repeats", type=int, default=1, help="alternate the variants N times and keep each one's fastest run (shared machines)")
    parser.add_argument("--model-size", choices=["config", "indobert-base"], default="config")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"], help="default: the config's train.precision")
    parser.add_argument("--variant", choices=list(VARIANTS), help=argparse.SUPPRESS)  # one child's job
    args = parser.parse_args(argv)
    files = [x for x in args.items if "=" not in x]
    overrides = [x for x in args.items if "=" in x]
    cfg = load_config(files, overrides)
    if args.variant:
        result = measure(cfg, args.variant, steps=args.steps, warmup=args.warmup, model_size=args.model_size, precision=args.precision)
        print("BENCH " + json.dumps(result))
        return 0
    best: dict[str, dict] = {}
    for round_ in range(1, args.repeats + 1):
        for variant in VARIANTS:
            print(f"round {round_}/{args.repeats}: {VARIANTS[variant]} ...", file=sys.stderr)
            child = subprocess.run([sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--variant", variant], capture_output=True, text=True)
            lines = [x for x in child.stdout.splitlines() if x.startswith("BENCH ")]
            if child.returncode != 0 or not lines:
                print(child.stderr[-4000:], file=sys.stderr)
                return 1
            result = json.loads(lines[-1][len("BENCH "):])
            print(f"  {result['samples_per_second']:.1f} samples/s", file=sys.stderr)
            if variant not in best or result["samples_per_second"] > best[variant]["samples_per_second"]:
                best[variant] = result
    print(f"config {' '.join(args.items)}, model size {args.model_size}" + (f", fastest of {args.repeats} runs each" if args.repeats > 1 else ""))
    print(report([best[v] for v in VARIANTS]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
