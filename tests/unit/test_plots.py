"""The reliability figure says what it shows: counts per bin, sparse bins apart, a legend that
covers no point, and whether the histogram is raw or calibrated."""

from train.render.plots import SPARSE_BIN, figure_png, reliability_figure


def bins(counts, shift=0.0):
    width = 1 / len(counts)
    return [{"lower": i * width, "upper": (i + 1) * width, "count": c,
             "confidence": (i + 0.5) * width + shift if c else None, "accuracy": min(1.0, (i + 0.5) * width) if c else None}
            for i, c in enumerate(counts)]


def test_reliability_figure_labels_counts_marks_sparse_bins_and_keeps_the_legend_off_the_axes():
    after = bins([0, 0, 0, 0, 1, 3, 0, 12, 40, 300])
    before = bins([0, 0, 0, 0, 2, 2, 0, 10, 30, 312], shift=0.01)
    fig = reliability_figure(before, after, ece_before=0.05, ece_after=0.02, temperature=0.9)
    top, bottom = fig.axes
    assert top.get_legend() is None and fig.legends  # the legend is the figure's, outside both axes
    annotations = [t.get_text() for t in top.texts]
    assert annotations == [str(b["count"]) for b in after if b["count"]]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(f"< {SPARSE_BIN}" in t for t in legend) and any("raw" in t for t in legend) and any("calibrated" in t for t in legend)
    assert "calibrated" in bottom.get_title() and "raw" in bottom.get_title()
    hollow = [line for line in top.lines if line.get_markerfacecolor() == "white" and len(line.get_xdata())]
    assert sum(len(line.get_xdata()) for line in hollow) == sum(1 for b in after + before if 0 < b["count"] < SPARSE_BIN)
    assert figure_png(fig).startswith(b"\x89PNG")
