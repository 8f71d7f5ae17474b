"""python -m train CONFIG.yaml [MORE.yaml ...] [section.key=value ...]"""

import argparse
import json
import sys

from train.config import ConfigError, load_config
from train.data import DataError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train", description="Fine-tune the Indonesian security-news classifier.")
    parser.add_argument("items", nargs="+", metavar="CONFIG_OR_OVERRIDE", help="YAML files, then section.key=value overrides")
    args = parser.parse_args(argv)
    files = [x for x in args.items if "=" not in x]
    overrides = [x for x in args.items if "=" in x]
    try:
        cfg = load_config(files, overrides)
        from train.run import train  # heavy imports only once the config is known to be good

        metrics = train(cfg)
    except (ConfigError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    test = metrics["test"]
    print(json.dumps({"checkpoint": str(cfg.train.run_dir), "test_accuracy": round(test["accuracy"], 4), "test_macro_f1": round(test["macro_f1"], 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
