"""Turn German press releases into structured records with provenance."""
__version__ = "0.2.0"
