"""What `train.evaluate` computes with: every score (metrics.py), temperature scaling
(calibration.py), the TF-IDF baseline (baseline.py) and document mode on whole articles
(documents.py). Nothing here reads or writes a file."""
