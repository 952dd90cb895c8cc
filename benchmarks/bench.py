"""Throughput of the default pipeline against the floor: spaCy's bare German tokenizer.

    python benchmarks/bench.py [FOLDER] [--repeat N]

Prints a table; both are measured in the same run on the same texts, so the ratio is what to compare.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import spacy

    from pipeline.nlp import build_nlp

    nlp, backend = build_nlp()
    nlp("Warm-up in Goslar am 3. Mai 2021.")
    cold = time.perf_counter() - t0
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.folder).glob("*.txt"))] * args.repeat
    words = sum(len(t.split()) for t in texts)
    tok = spacy.blank("de").tokenizer
    t = time.perf_counter()
    for text in texts:
        tok(text)
    t_tok = time.perf_counter() - t
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    t = time.perf_counter()
    for i, text in enumerate(texts):
        build_record(nlp, Document(f"{i}.txt", text, "0" * 64, len(text), "utf-8"), backend)
    t_full = time.perf_counter() - t
    print(f"{'what':<34}{'seconds':>9}{'docs/s':>9}{'words/s':>10}")
    print(f"{'cold start (import + build + 1 doc)':<34}{cold:>9.2f}")
    print(f"{'bare tokenizer (floor)':<34}{t_tok:>9.2f}{len(texts) / t_tok:>9.0f}{words / t_tok:>10.0f}")
    print(f"{'full extraction':<34}{t_full:>9.2f}{len(texts) / t_full:>9.0f}{words / t_full:>10.0f}")
    print(f"ratio tokenizer/full: {t_tok / t_full:.3f} ({len(texts)} releases, backend {backend})")


if __name__ == "__main__":
    main()
