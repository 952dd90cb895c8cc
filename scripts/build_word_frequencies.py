"""Write rules/word_frequencies.tsv: German word frequencies (Zipf scale) from wordfreq's 'best' list.

    python scripts/build_word_frequencies.py [--floor 2.5]

The projects component asks whether a capitalised word after "das Projekt" is rare ("Fischerhütte")
or an ordinary noun ("Zukunft"). Importing wordfreq and loading its German table takes about 1.2 s in
every process; this file holds the same figures for the words at or above FLOOR (about 85,000) and
loads in milliseconds. A word below FLOOR is absent and counts as rare for any threshold >= FLOOR.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--floor", type=float, default=2.5)
    args = ap.parse_args()
    from importlib.metadata import version

    import wordfreq

    table = wordfreq.get_frequency_dict("de", wordlist="best")
    rows = sorted((w, math.log10(f) + 9) for w, f in table.items() if math.log10(f) + 9 >= args.floor and "\t" not in w and "\n" not in w)
    out = ROOT / "rules" / "word_frequencies.tsv"
    with out.open("w", encoding="utf-8") as fh:
        fh.write(f"# floor\t{args.floor}\n")
        fh.write(f"# German word frequencies on the Zipf scale (log10 per billion words), wordfreq {version('wordfreq')} 'best' list"
                 " (its figures are whole centibels, so two decimals are exact); regenerate with scripts/build_word_frequencies.py\n")
        for w, z in rows:
            fh.write(f"{w}\t{z:.2f}\n")
    print(f"{len(rows)} words with zipf >= {args.floor} -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
