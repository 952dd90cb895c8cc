"""Peak memory of `pipeline run` against corpus size (it should be flat: records are streamed).

    python benchmarks/bench_memory.py [--sizes 1000 10000]

Generates releases from corpus/ for each size and runs the whole command as typed (workers and the
review report as by default) in a fresh process, reading the peak resident memory of it and its
worker processes (ru_maxrss of the children) from the operating system.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = ap.parse_args()
    corpus = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    print(f"{'releases':>10}{'seconds':>10}{'peak RSS MiB':>14}")
    base = None
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in"
            src.mkdir()
            for i in range(n):
                (src / f"{i:07d}.txt").write_text(corpus[i % len(corpus)] + f"\nNr. {i}\n", encoding="utf-8")
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline", "run", str(src), "--out", str(Path(tmp) / "out")],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            # ru_maxrss of children is the maximum over all children so far: run the sizes in increasing order
            mib = max(peak, before) / 1024
            base = base or mib
            print(f"{n:>10}{time.perf_counter() - t:>10.1f}{mib:>14.1f}   ({100 * (mib - base) / base:+.1f} % vs the first size)")


if __name__ == "__main__":
    main()
