"""spaCy components of the pipeline, registered as factories (configured from rules/)."""
from pipeline.components import dates, institutions, programmes, projects, sentences, towns  # noqa: F401  (registers factories)
