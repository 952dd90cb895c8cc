"""Errors with codes and one sentence that says what to do (after spaCy's errors.py)."""
from __future__ import annotations


class PipelineError(Exception):
    """Base class: `code` is stable, the message tells the user what to do."""

    code = "E000"

    def __init__(self, message: str):
        super().__init__(f"{self.code} {message}")
        self.reason = message


class IngestError(PipelineError):
    code = "E010"


class ModelNotFound(PipelineError):
    code = "E012"


class RulesError(PipelineError):
    code = "E020"


class OutputLocked(PipelineError):
    code = "E040"


def model_not_found(name: str) -> ModelNotFound:
    return ModelNotFound(
        f"model '{name}' is not installed: run `python -m spacy download {name}` "
        f"(or pass a path to a saved spaCy pipeline), or omit --model to use the built-in pipeline"
    )
