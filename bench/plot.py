"""Plot deliveries/s and p99 latency against subscribers from peer-benchmark results.

    python bench/plot.py OUT.png RESULTS.jsonl [RESULTS.jsonl ...] [--servers tidings,node-graphql-ws]

Each results.jsonl is what ../shared/bench/compare writes (one JSON line per run); runs of the
burst scenario S3 at several subscriber counts (S3_SUBS=1000, 5000, 10000) make the curves.
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("results", type=Path, nargs="+")
    parser.add_argument("--servers", help="comma-separated server names to plot")
    args = parser.parse_args()
    data = load(args.results, set(args.servers.split(",")) if args.servers else None)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, rows in sorted(data.items()):
        subs = [r[0] for r in rows]
        left.plot(subs, [r[1] for r in rows], marker="o", label=name)
        right.plot(subs, [r[2] / 1000 for r in rows], marker="o", label=name)
    left.set(title="Burst fan-out: deliveries per second", xlabel="subscribers", ylabel="deliveries/s")
    right.set(title="Burst fan-out: p99 latency", xlabel="subscribers", ylabel="p99 (s)")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("One server core (taskset -c 0), load generator on the other; one run per point")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
