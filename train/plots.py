"""The report's two figures, drawn with matplotlib from metrics.json's numbers alone, so a
figure can always be redrawn from the report it belongs to."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def confusion_matrix_figure(matrix, labels: list[str]) -> Figure:
    """Counts (left) and row-normalised recall per gold label (right), every cell annotated."""
    counts = np.asarray(matrix, dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    normalised = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    size = 2.4 + 0.9 * len(labels)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 1.5, size), layout="constrained")
    panels = ((counts, "Counts", "{:.0f}"), (normalised, "Row-normalised (share of each gold label)", "{:.2f}"))
    for ax, (values, title, fmt) in zip(axes, panels):
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=max(values.max(), 1e-9))
        ax.set_title(title)
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        for i in range(len(labels)):
            for j in range(len(labels)):
                dark = values[i, j] > 0.6 * values.max()  # white text on dark cells stays readable
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", color="white" if dark else "black", fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def reliability_figure(before: list[dict], after: list[dict], *, ece_before: float, ece_after: float, temperature: float) -> Figure:
    """Reliability diagram: accuracy against mean confidence per bin, before and after
    temperature scaling, with the diagonal of perfect calibration; below it, how many
    predictions fall in each bin (after scaling)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7), height_ratios=(3, 1), sharex=True, layout="constrained")
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    for bins, name, ece, style in ((before, "uncalibrated", ece_before, "o:"), (after, f"T = {temperature:.2f}", ece_after, "s-")):
        used = [b for b in bins if b["count"]]
        top.plot([b["confidence"] for b in used], [b["accuracy"] for b in used], style, label=f"{name} (ECE {ece:.3f})")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy in bin")
    top.set_title("Reliability diagram")
    top.legend(loc="upper left")
    width = after[0]["upper"] - after[0]["lower"] if after else 0.1
    bottom.bar([b["lower"] for b in after], [b["count"] for b in after], width=width, align="edge", color="tab:blue", alpha=0.6)
    bottom.set_xlabel("confidence (top class probability)")
    bottom.set_ylabel("predictions")
    return fig


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure (then closed), for write_bytes_atomic."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
