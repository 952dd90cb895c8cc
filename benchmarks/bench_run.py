"""The whole `run` command against the floor, on N generated releases, measured in one go.

    python benchmarks/bench_run.py [--n 1000] [--workers 0] [--peer 30] [--rounds 3]

Generates N releases from corpus/ (each a corpus text with a distinct number line, so every
file is a new input), then times in one go: a script that only reads the files and runs spaCy's
bare German tokenizer (the floor, one process), `python -m pipeline run SRC --out OUT --workers 1`, the
command as a user types it (`python -m pipeline run SRC --out OUT`: one worker per usable core, and the
review report at the end, as by default; or --workers W), with fresh output folders so nothing is
skipped, and dateparser.search_dates over a sample (the peer).

The three commands run in turn, ROUNDS times; the table shows each one's fastest round (a shared
machine only ever adds time) and every round's ratios, so the spread is visible.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = """
import sys, spacy
from pathlib import Path
tok = spacy.blank("de").tokenizer
for p in sorted(Path(sys.argv[1]).glob("*.txt")):
    tok(p.read_text(encoding="utf-8"))
"""


def timed(cmd: list[str]) -> float:
    """Seconds of a command; its output goes nowhere (not a terminal, so the run shows no progress bar)."""
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=0, help="workers of the parallel line; 0 = the command's default (one per core)")
    ap.add_argument("--peer", type=int, default=30, help="releases for the dateparser.search_dates peer (it is slow)")
    ap.add_argument("--rounds", type=int, default=3, help="the floor and both runs in turn, this many times")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from pipeline.run import auto_workers

    par_workers = args.workers or auto_workers(args.n)  # what the parallel line runs
    par_label = f"{par_workers} workers" + (" (the default)" if not args.workers else "")
    corpus = sorted((ROOT / "corpus").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(args.n):
            base = corpus[i % len(corpus)].read_text(encoding="utf-8")
            (src / f"{i:06d}.txt").write_text(base + f"\nPressemitteilung Nr. {i}/2024\n", encoding="utf-8")
        py = sys.executable
        rounds = []
        for r in range(args.rounds):
            outs = [Path(tmp) / f"o{r}-1", Path(tmp) / f"o{r}-par"]  # fresh folders: nothing is skipped
            rounds.append((timed([py, "-c", FLOOR, str(src)]),
                           timed([py, "-m", "pipeline", "run", str(src), "--out", str(outs[0]), "--workers", "1"]),
                           timed([py, "-m", "pipeline", "run", str(src), "--out", str(outs[1]),
                                  *(["--workers", str(args.workers)] if args.workers else [])])))
            for out in outs:
                shutil.rmtree(out)
        t_floor, t_run, t_par = (min(times) for times in zip(*rounds))
        texts = [p.read_text(encoding="utf-8") for p in sorted(src.glob("*.txt"))[: args.peer]]
        from dateparser.search import search_dates

        t = time.perf_counter()
        for text in texts:
            search_dates(text, languages=["de"])
        t_peer = (time.perf_counter() - t) * args.n / max(1, len(texts))
        shutil.rmtree(src)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in corpus) * args.n / len(corpus)
    print(f"{args.n} releases (~{words:,.0f} words), fastest of {args.rounds} rounds, {par_label} for the parallel line")
    print(f"{'what':<44}{'seconds':>9}{'releases/s':>12}{'ratio to floor':>16}")
    rows = [("floor: read + bare spaCy tokenizer", t_floor), ("pipeline run, 1 worker (incl. start-up)", t_run),
            (f"pipeline run, {par_label}", t_par), (f"peer: dateparser.search_dates (from {args.peer})", t_peer)]
    for name, sec in rows:
        print(f"{name:<44}{sec:>9.2f}{args.n / sec:>12.1f}{t_floor / sec:>16.3f}")
    print(f"speed-up with {par_label}: {t_run / t_par:.2f}x")
    for r, (f, one, par) in enumerate(rounds, 1):
        print(f"round {r}: floor {f:.2f} s, 1 worker {one:.2f} s (ratio {f / one:.3f}), "
              f"{par_label} {par:.2f} s (ratio {f / par:.3f}, {one / par:.2f}x)")


if __name__ == "__main__":
    main()
