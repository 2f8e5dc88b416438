"""Plot deliveries/s and p99 latency against subscribers from benchmark results.

    python bench/plot.py OUT.png RESULTS.jsonl [RESULTS.jsonl ...] [--servers tidings,node-graphql-ws]

Two kinds of JSON lines, in any of the files:
- the peer benchmark's `compare` runs (results.jsonl; the team's folder, not in this repository):
  runs of the burst scenario S3 at several subscriber counts (S3_SUBS=1000, 5000, 10000) make
  one curve per server;
- bench/load.mjs runs (what bench/feed.sh collects): the feed, one author's burst of tweets to N
  followers, as a curve against N, beside the engagement burst as the reference. Present, they
  add a second row to the figure.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def load(paths: list[Path], servers: set[str] | None) -> dict[str, list[tuple[int, float, float]]]:
    points: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
    for path in paths:
        for line in path.read_text().splitlines():
            run = json.loads(line)
            if run.get("error") or run.get("scenario") != "S3" or not run.get("deliveries_per_s"):
                continue
            name = run["server"]
            if servers and name not in servers:
                continue
            points[name][run["subs_requested"]] = (run["deliveries_per_s"], run["latency_ms_p99"])
    return {name: sorted((subs, d, p) for subs, (d, p) in runs.items()) for name, runs in points.items()}


def load_streams(paths: list[Path]) -> dict[str, list[tuple[int, float, float]]]:
    """bench/load.mjs results by stream: (subscribers, deliveries/s, p99 ms), the last run of each."""
    points: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
    for path in paths:
        for line in path.read_text().splitlines():
            run = json.loads(line)
            if "stream" not in run or "scenario" in run or not run.get("deliveries_per_s"):
                continue
            if run.get("missing") or run.get("duplicates"):
                missing, duplicated = run["missing"], run["duplicates"]
                print(f"note: {run['stream']} x {run['subs']}: {missing} missing, {duplicated} duplicated")
            points[run["stream"]][run["subs"]] = (run["deliveries_per_s"], run["p99_ms"])
    return {name: sorted((subs, d, p) for subs, (d, p) in runs.items()) for name, runs in points.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("results", type=Path, nargs="+")
    parser.add_argument("--servers", help="comma-separated server names to plot")
    args = parser.parse_args()
    data = load(args.results, set(args.servers.split(",")) if args.servers else None)
    streams = load_streams(args.results)
    rows = [r for r in (data, streams) if r]
    if not rows:
        parser.error("no S3 runs and no bench/load.mjs runs in the files given")
    fig, axes = plt.subplots(len(rows), 2, figsize=(11, 4.2 * len(rows)), squeeze=False)
    row = 0
    if data:
        left, right = axes[row]
        row += 1
        for name, runs in sorted(data.items()):
            subs = [r[0] for r in runs]
            left.plot(subs, [r[1] for r in runs], marker="o", label=name)
            right.plot(subs, [r[2] / 1000 for r in runs], marker="o", label=name)
        left.set(title="Burst fan-out (S3): deliveries/s", xlabel="subscribers", ylabel="deliveries/s")
        right.set(title="Burst fan-out (S3): p99 latency", xlabel="subscribers", ylabel="p99 (s)")
    if streams:
        left, right = axes[row]
        for name, runs in sorted(streams.items()):
            subs = [r[0] for r in runs]
            if name == "feed":
                label = "feed: one author's 100 tweets"
                left.plot(subs, [r[1] for r in runs], marker="o", label=label)
                right.plot(subs, [r[2] / 1000 for r in runs], marker="o", label=label)
            else:  # the reference: a line at its rate, named by its size
                label = f"{name}: {subs[0]:,} subscribers x 100 likes (reference)"
                left.axhline(runs[0][1], linestyle="--", color="gray", label=label)
                right.axhline(runs[0][2] / 1000, linestyle="--", color="gray", label=label)
        left.set(title="Feed fan-out: deliveries/s", xlabel="followers (subscribers)", ylabel="deliveries/s")
        right.set(title="Feed fan-out: p99 latency", xlabel="followers (subscribers)", ylabel="p99 (s)")
    for ax in axes.flat:
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("One server core (taskset -c 0), load generator on the other; one run per point")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
