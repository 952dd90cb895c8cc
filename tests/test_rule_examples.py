"""Every pattern rule in rules/ carries its own examples: each `match` example must be found by that
rule, each `no_match` example must not. Editing a rule file is then checked like code."""
from __future__ import annotations

import pytest

from pipeline.rules import institution_patterns, programme_patterns, project_patterns

RULES = [("programme", "programmes", name, getattr(programme_patterns(), name))
         for name in ("quote_triggers", "name_suffixes", "money_sources", "title_guidelines")]
RULES += [("project", "projects", name, getattr(project_patterns(), name))
          for name in ("quote_triggers", "name_triggers", "subject_titles", "lead_titles", "funded_quotes", "built_quotes", "list_item_names",
                       "table_columns", "amount_lines", "prize_items")]
CASES = [(label, f"{prefix}:{rule.id}", text, expected)
         for label, prefix, _, rule in RULES for expected, texts in ((True, rule.examples.match), (False, rule.examples.no_match))
         for text in texts]


def test_every_rule_has_examples():
    for _, _, name, rule in RULES:
        assert rule.examples.match, f"{name} ({rule.id}) has no match example"


@pytest.mark.parametrize("label,rule_id,text,expected", CASES, ids=[f"{c[1]}:{c[2][:40]}" for c in CASES])
def test_rule_example(nlp, label, rule_id, text, expected):
    found = {e.rule for e in nlp(text)._.evidence if e.label == label}
    assert (rule_id in found) is expected, f"{rule_id} on {text!r}: found {sorted(found)}"


INSTITUTION_CASES = [(t, True) for t in institution_patterns().examples.match] + [(t, False) for t in institution_patterns().examples.no_match]


@pytest.mark.parametrize("text,expected", INSTITUTION_CASES, ids=[c[0][:40] for c in INSTITUTION_CASES])
def test_institution_example(nlp, text, expected):
    """The institution patterns' examples (registry names count too: the examples show what is an institution)."""
    found = [e for e in nlp(text)._.evidence if e.label == "institution"]
    assert bool(found) is expected, f"{text!r}: {[(e.text, e.rule) for e in found]}"


def test_a_broken_regex_in_a_rule_file_is_a_clear_error_on_load(tmp_path):
    import shutil

    from pipeline.rules import RelationCues, RulesError, load_model, rules_dir

    shutil.copy(rules_dir() / "relations.yaml", tmp_path / "relations.yaml")
    path = tmp_path / "relations.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('regex: "^Bundes|', 'regex: "^(Bundes|', 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"(?s)relations\.yaml is invalid.*government_levels.*not a regular expression"):
        load_model(RelationCues, "relations.yaml", base=tmp_path)
    assert load_model(RelationCues, "relations.yaml").government_levels  # the shipped file loads
