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


SPARSE_BIN = 10


def reliability_figure(before: list[dict], after: list[dict], *, ece_before: float, ece_after: float, temperature: float) -> Figure:
    """Reliability diagram: accuracy against mean confidence per bin, before and after
    temperature scaling, with the diagonal of perfect calibration. Each calibrated point is
    labelled with its bin's count, and bins of fewer than SPARSE_BIN predictions are drawn
    hollow: their accuracy is noise. Below, how many predictions fall in each bin, calibrated
    (bars, counted) and raw (outline). The legend sits outside the axes, so it covers no point."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7.6), height_ratios=(3, 1.2), sharex=True, layout="constrained")
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    for bins, name, ece, marker, color in ((before, "raw (T = 1)", ece_before, "o", "tab:orange"), (after, f"calibrated (T = {temperature:.2f})", ece_after, "s", "tab:blue")):
        used = [b for b in bins if b["count"]]
        x, y = [b["confidence"] for b in used], [b["accuracy"] for b in used]
        top.plot(x, y, linestyle=":" if bins is before else "-", color=color, label=f"{name}, ECE {ece:.3f}")
        full = [(b["confidence"], b["accuracy"]) for b in used if b["count"] >= SPARSE_BIN]
        sparse = [(b["confidence"], b["accuracy"]) for b in used if b["count"] < SPARSE_BIN]
        if full:
            top.plot(*zip(*full), marker, color=color)
        if sparse:
            top.plot(*zip(*sparse), marker, color=color, markerfacecolor="white")
    for b in after:
        if b["count"]:
            top.annotate(str(b["count"]), (b["confidence"], b["accuracy"]), textcoords="offset points", xytext=(0, -13),
                         ha="center", fontsize=7, color="tab:blue")
    top.plot([], [], "s", color="tab:blue", markerfacecolor="white", label=f"hollow: bin of < {SPARSE_BIN} predictions")
    top.set_xlim(0, 1)
    top.set_ylim(-0.05, 1.05)
    top.set_ylabel("accuracy in bin")
    top.set_title("Reliability diagram (numbers: predictions per calibrated bin)", fontsize=10)
    fig.legend(loc="outside upper center", ncols=2, fontsize=8, frameon=False)
    width = after[0]["upper"] - after[0]["lower"] if after else 0.1
    bars = bottom.bar([b["lower"] for b in after], [b["count"] for b in after], width=width, align="edge", color="tab:blue", alpha=0.6)
    bottom.bar_label(bars, labels=[str(b["count"]) if b["count"] else "" for b in after], fontsize=7)
    bottom.stairs([b["count"] for b in before], [b["lower"] for b in before] + [before[-1]["upper"]] if before else [0, 1],
                  color="tab:orange", linestyle=":", label="raw confidence")
    bottom.set_xlabel("confidence (top class probability)")
    bottom.set_ylabel("predictions")
    bottom.set_title("Predictions per bin: bars calibrated, dotted outline raw", fontsize=9)
    bottom.margins(y=0.2)
    return fig


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure (then closed), for write_bytes_atomic."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
