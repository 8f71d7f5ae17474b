"""Print a checkpoint's test metrics and its prediction for an example sentence of each label
(`indosec.labels.EXAMPLES`).

    python scripts/demo.py outputs/quickstart
"""

import sys
from pathlib import Path

import indosec
from indosec.labels import EXAMPLES
from train.run_folder import read_metrics

# the last example of each label: the card's Hub widget shows the first ones
SENTENCES = {label: examples[-1] for label, examples in EXAMPLES.items()}


def main(run_dir: str) -> None:
    saved = read_metrics(run_dir)
    metrics, baseline, calibration = saved["model"], saved["baseline"], saved["calibration"]
    print(f"\nTest accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}"
          f" (TF-IDF baseline: accuracy {baseline['accuracy']:.3f}, macro-F1 {baseline['macro_f1']:.3f})")
    print(f"Calibration: T = {calibration['temperature']:.3f}, test ECE {calibration['ece_before']:.3f} -> {calibration['ece_after']:.3f}")
    print(f"{'label':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    for label, m in metrics["per_class"].items():
        print(f"{label:<22}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9}")
    print(f"\n{'example of':<22}{'predicted':<22}score  sentence")
    for (label, text), pred in zip(SENTENCES.items(), indosec.load(run_dir).predict(list(SENTENCES.values()))):
        print(f"{label:<22}{pred.label:<22}{pred.score:.2f}   {text}")
    print(f"\nFull report: {Path(run_dir) / 'report' / 'report.md'}; model card: {Path(run_dir) / 'README.md'}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "outputs/quickstart")
