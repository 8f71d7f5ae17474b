"""python -m train CONFIG.yaml [MORE.yaml ...] [section.key=value ...] [--seeds N]"""

import argparse
import json
import sys

from train.config import ConfigError, load_config
from train.data.validation import DataError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train", description="Fine-tune the Indonesian security-news classifier.")
    parser.add_argument("items", nargs="+", metavar="CONFIG_OR_OVERRIDE", help="YAML files, then section.key=value overrides")
    parser.add_argument("--seeds", type=int, default=1, help="train N seeds (train.seed, +1, ...) and report mean ± std")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    files = [x for x in args.items if "=" not in x]
    overrides = [x for x in args.items if "=" in x]
    try:
        cfg = load_config(files, overrides)
        # heavy imports only once the config is known to be good
        if args.seeds > 1:
            from train.seeds import run_seeds, summary_markdown

            summary, path = run_seeds(cfg, args.seeds)
            if not summary:  # non-main DDP process
                return 0
            print(summary_markdown(cfg.train.run_name, summary))
            print(json.dumps({"summary": str(path)}))
            return 0
        from train.pipeline import run

        metrics = run(cfg)
    except (ConfigError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not metrics:  # under torchrun/accelerate only the main process evaluates and reports
        return 0
    test = metrics["model"]
    print(json.dumps({
        "checkpoint": str(cfg.train.run_dir), "test_accuracy": round(test["accuracy"], 4), "test_macro_f1": round(test["macro_f1"], 4),
        "baseline_test_macro_f1": round(metrics["baseline"]["macro_f1"], 4), "temperature": round(metrics["calibration"]["temperature"], 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
