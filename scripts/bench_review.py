"""How long the next sentence takes to appear after a key on the Review tab, measured as a
browser sees it: gradio_client sends the key and the time runs until the new sentence's HTML
has come back (the decision appended and flushed to the labels file before that).

    python scripts/bench_review.py outputs/quickstart --articles 5 --keys 40

The articles are the first N of data/articles/test.jsonl; the labels file is a temporary one.
Prints the median, 95th percentile and maximum in milliseconds, and the share under 150 ms.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import indosec  # noqa: E402
from indosec.app import build_app  # noqa: E402
from indosec.records import read_objects  # noqa: E402
from indosec.review_app import ReviewOptions  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--keys", type=int, default=40)
    args = parser.parse_args(argv)
    from gradio_client import Client

    folder = Path(tempfile.mkdtemp(prefix="bench-review-"))
    articles = folder / "berita.jsonl"
    rows = read_objects(ROOT / "data" / "articles" / "test.jsonl")[: args.articles]
    articles.write_text("".join(json.dumps({"text": r["text"]}, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = build_app(indosec.load(args.model, device="cpu"), ReviewOptions(str(folder / "labels.jsonl"), [str(articles)], "bench"))
    page.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        started = time.perf_counter()
        client.predict(None, None, str(folder / "labels.jsonl"), "bench", api_name="/review_start")
        print(f"queue of {args.articles} articles built in {time.perf_counter() - started:.1f} s")
        keys = ["enter", "1", "2", "s", "3", "u", "4", "5"]
        times = []
        for i in range(args.keys):
            t0 = time.perf_counter()
            view, _, _ = client.predict(keys[i % len(keys)], api_name="/review_key")
            times.append((time.perf_counter() - t0) * 1000)
            assert "review-item" in view, view[:200]
    finally:
        page.close()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    under = sum(t <= 150 for t in times) / len(times)
    print(f"{len(times)} keys: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms; "
          f"{under:.0%} under 150 ms (labels file: {folder / 'labels.jsonl'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
