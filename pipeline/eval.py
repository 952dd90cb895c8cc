"""Evaluation with the annotation guidelines' scoring.

Per document and type, a predicted item matches a gold item when its name (or acronym) equals
the gold name or one of its aliases after normalising case, quotes, dashes, white space and a
leading article. Optional gold items are removed from both sides; a second prediction for the
same gold item is a duplicate and counts as a false positive. Dates match on value.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from pipeline.resolve import norm

TYPES = ["towns", "institutions", "programmes", "projects", "dates"]


def _keys(item: dict, kind: str) -> set[str]:
    if kind == "dates":
        return {item["value"]}
    return {norm(item["name"]), *(norm(a) for a in item.get("aliases", []))}


def _pred_keys(item: dict, kind: str) -> set[str]:
    if kind == "dates":
        return {item["value"]}
    keys = {norm(item["name"])}
    if item.get("acronym"):
        keys.add(norm(item["acronym"]))
    return keys


def score_items(pred: list[dict], gold: list[dict], optional: list[dict], kind: str):
    """(tp, fp, fn, matches) for one document and type."""
    gold_keys = [_keys(g, kind) for g in gold]
    opt_keys = [_keys(o, kind) for o in optional]
    matched = [False] * len(gold)
    tp = fp = 0
    matches = []
    for p in pred:
        pk = _pred_keys(p, kind)
        hit = next((i for i, gk in enumerate(gold_keys) if pk & gk and not matched[i]), None)
        if hit is not None:
            matched[hit] = True
            tp += 1
            matches.append((p, gold[hit]))
        elif any(pk & gk for gk in gold_keys):
            fp += 1  # duplicate of a matched gold item
        elif any(pk & ok for ok in opt_keys):
            continue
        else:
            fp += 1
    return tp, fp, matched.count(False), matches


def gold_relations(gold: dict):
    """The scored gold relations of a document, and a function giving a predicted relation's key
    (None when an end or the relation itself is optional). Ends are compared like entities."""
    optional = gold.get("optional", {})
    canon: dict[str, str] = {}
    for kind in ("towns", "institutions", "programmes", "projects"):
        for g in gold.get(kind, []) + optional.get(kind, []):
            for k in _keys(g, kind):
                canon.setdefault(k, norm(g["name"]))
    opt_rel = {(r["type"], norm(r["from"]), norm(r["to"])) for r in optional.get("relations", [])}
    gold_rel = {(r["type"], norm(r["from"]), norm(r["to"])) for r in gold.get("relations", [])} - opt_rel
    optional_names = {norm(o["name"]) for kind in ("towns", "institutions", "programmes", "projects") for o in optional.get(kind, [])}

    def key(kind: str, src: str, dst: str):
        k = (kind, canon.get(norm(src), norm(src)), canon.get(norm(dst), norm(dst)))
        if k in opt_rel or k[1] in optional_names or k[2] in optional_names:
            return None
        return k

    return gold_rel, key


def load_records(path: str | Path) -> dict[str, dict]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out[Path(rec["source"]["path"]).name] = rec
    return out


def evaluate(gold_dir: str | Path, records_path: str | Path) -> dict:
    records = load_records(records_path)
    counts = {t: [0, 0, 0] for t in TYPES + ["relations"]}
    mod_ok = mod_total = 0
    link_ok = link_total = 0
    doc_date_ok = doc_date_total = 0
    missing = []
    details = defaultdict(list)
    for gpath in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        rec = records.get(gold["doc"])
        if rec is None:
            missing.append(gold["doc"])
            rec = {t: [] for t in TYPES} | {"relations": [], "doc_date": None}
        doc_date_total += 1
        doc_date_ok += rec.get("doc_date") == gold.get("doc_date")
        optional = gold.get("optional", {})
        for kind in TYPES:
            pred = rec.get(kind, [])
            tp, fp, fn, matches = score_items(pred, gold.get(kind, []), optional.get(kind, []), kind)
            c = counts[kind]
            c[0] += tp
            c[1] += fp
            c[2] += fn
            matched_gold = {id(g) for _, g in matches}
            for g in gold.get(kind, []):
                if id(g) not in matched_gold:
                    details[kind].append(f"{gold['doc']}: missed {g.get('name') or g.get('value')}")
            opt_keys = [_keys(o, kind) for o in optional.get(kind, [])]
            for p in pred:
                if not any(p is m[0] for m in matches) and not any(_pred_keys(p, kind) & ok for ok in opt_keys):  # optional: not scored
                    details[kind].append(f"{gold['doc']}: extra {p.get('name') or p.get('value')}")
            for p, g in matches:
                if kind == "dates":
                    mod_total += 1
                    mod_ok += (p.get("mod") or None) == (g.get("mod") or None)
                if kind == "towns" and g.get("ags"):
                    link_total += 1
                    link_ok += p.get("ags") == g["ags"]
        gold_rel, relation_key = gold_relations(gold)
        pred_rel = {k for k in (relation_key(r["type"], r["from"], r["to"]) for r in rec.get("relations", [])) if k}
        c = counts["relations"]
        c[0] += len(pred_rel & gold_rel)
        c[1] += len(pred_rel - gold_rel)
        c[2] += len(gold_rel - pred_rel)
        for r in sorted(gold_rel - pred_rel):
            details["relations"].append(f"{gold['doc']}: missed {r[0]} {r[1]} -> {r[2]}")
        for r in sorted(pred_rel - gold_rel):
            details["relations"].append(f"{gold['doc']}: extra {r[0]} {r[1]} -> {r[2]}")
    result = {"documents": doc_date_total, "missing_records": missing, "types": {}}
    for kind, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        result["types"][kind] = {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
    result["date_mod_accuracy"] = round(mod_ok / mod_total, 4) if mod_total else None
    result["town_linking_accuracy"] = round(link_ok / link_total, 4) if link_total else None
    result["town_linking_n"] = link_total
    result["doc_date_accuracy"] = round(doc_date_ok / doc_date_total, 4) if doc_date_total else None
    result["errors"] = {k: v for k, v in details.items()}
    return result


def format_table(result: dict) -> str:
    lines = [f"{'type':<14}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for kind, s in result["types"].items():
        lines.append(f"{kind:<14}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}")
    lines.append(f"date mod accuracy: {result['date_mod_accuracy']}   town linking (AGS) accuracy: "
                 f"{result['town_linking_accuracy']} of {result['town_linking_n']}   doc_date accuracy: {result['doc_date_accuracy']}")
    if result["missing_records"]:
        lines.append(f"documents without a record: {len(result['missing_records'])}")
    return "\n".join(lines)
