"""Throughput of the default pipeline against the floor: spaCy's bare German tokenizer.

    python benchmarks/bench.py [FOLDER] [--repeat N]

Prints a table with the per-stage split; everything is measured in the same run on the same
texts, so compare the ratios, not the seconds (timings on a shared machine are noisy).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_start() -> float:
    """Import + pipeline build + first document, in a fresh interpreter."""
    code = ("import time; t=time.perf_counter(); from pipeline.nlp import build_nlp; nlp,_=build_nlp(); "
            "nlp('Die Stadt Goslar erhält am 3. Mai 2021 Mittel.'); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    import spacy

    from pipeline.extract import build_record
    from pipeline.ingest import Document
    from pipeline.nlp import build_nlp

    cold = cold_start()
    nlp, backend = build_nlp()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.folder).glob("*.txt"))] * args.repeat
    for i, text in enumerate(texts[: len(texts) // args.repeat]):  # one pass first: one-time loads are no stage's cost
        build_record(nlp, Document(f"warm-{i}.txt", text, "0" * 64, len(text), "utf-8"), backend)
    words = sum(len(t.split()) for t in texts)
    rows = []

    tok = spacy.blank("de").tokenizer  # the floor
    t = time.perf_counter()
    for text in texts:
        tok(text)
    t_tok = time.perf_counter() - t
    rows.append(("bare spaCy tokenizer (floor)", t_tok))

    docs = []
    t = time.perf_counter()
    for text in texts:
        d = nlp.make_doc(text)
        d.user_data["press_text"] = text
        docs.append(d)
    rows.append(("  stage: tokenizer", time.perf_counter() - t))
    for name, proc in nlp.pipeline:
        t = time.perf_counter()
        for d in docs:
            proc(d)
        rows.append((f"  stage: {name}", time.perf_counter() - t))
    t = time.perf_counter()
    for i, (text, d) in enumerate(zip(texts, docs)):
        build_record(nlp, Document(f"{i}.txt", text, "0" * 64, len(text), "utf-8"), backend, doc=d)
    rows.append(("  stage: resolve + validate", time.perf_counter() - t))

    t = time.perf_counter()
    for i, text in enumerate(texts):
        build_record(nlp, Document(f"{i}.txt", text, "0" * 64, len(text), "utf-8"), backend)
    t_full = time.perf_counter() - t
    rows.append(("full extraction (all stages)", t_full))

    # the tokenizer on releases it has never seen (one pass over the folder, fresh tokenizers):
    # what the memo gains without the repetition of the rows above
    from pipeline.nlp import memoise_tokenizer

    distinct = texts[: len(texts) // args.repeat]
    plain, memoised = spacy.blank("de").tokenizer, spacy.blank("de").tokenizer
    memoise_tokenizer(memoised)
    unseen = []
    for tokenizer in (plain, memoised):
        t = time.perf_counter()
        for text in distinct:
            tokenizer(text)
        unseen.append(1000 * (time.perf_counter() - t) / len(distinct))

    print(f"{len(texts)} releases, {words} words, backend {backend}")
    print(f"{'what':<36}{'seconds':>9}{'ms/release':>12}{'releases/s':>12}{'words/s':>11}")
    for name, sec in rows:
        print(f"{name:<36}{sec:>9.3f}{1000 * sec / len(texts):>12.3f}{len(texts) / sec:>12.0f}{words / sec:>11.0f}")
    print(f"tokenizer on {len(distinct)} releases it has not seen: spaCy {unseen[0]:.3f} ms/release, memoised {unseen[1]:.3f}")
    print(f"cold start (import + build + 1 doc): {cold:.2f} s")
    print(f"ratio tokenizer/full: {t_tok / t_full:.3f}")


if __name__ == "__main__":
    main()
