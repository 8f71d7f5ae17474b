import numpy as np

from train.scores.baseline import C_GRID, baseline_probabilities, baseline_summary, fit_baseline

TEXTS = {
    0: ["patroli bersama angkatan laut", "latihan bersama pasukan gabungan", "kerja sama intelijen kedua negara", "sepakat patroli bersama"],
    1: ["bom meledak di pasar", "serangan bom bunuh diri", "penembakan di pos polisi", "bom rakitan meledak"],
}


def test_baseline_separates_an_easy_problem_and_fills_absent_labels():
    texts = [t for lab in TEXTS for t in TEXTS[lab]]
    labels = [lab for lab in TEXTS for _ in TEXTS[lab]]
    model = fit_baseline(texts, labels, ["patroli bersama di perbatasan", "bom meledak lagi"], [0, 1])
    probs = baseline_probabilities(model, ["latihan patroli bersama", "bom meledak di stasiun"], num_labels=3)
    assert probs.shape == (2, 3)
    assert list(probs.argmax(1)) == [0, 1]
    assert np.allclose(probs[:, 2], 0) and np.allclose(probs.sum(1), 1)  # label 2 never seen in training
    assert baseline_summary(model)["C"] in C_GRID
