"""Import spaCy without its command line, which a run never uses.

`import spacy` runs spaCy's CLI package (all its commands, typer, weasel, requests, httpx) only to bind the
name `spacy.info`: about 0.15 s of every start, a seventh of ours. While spaCy is imported here, `spacy.cli`
and `spacy.cli.info` are placeholders; they are taken out of sys.modules again right after, so a later
`import spacy.cli…` imports the real package, and the first use of a name on a placeholder (`spacy.info()`,
`spacy.cli.download`) imports the real module and answers from it. spaCy's maintainers have proposed the
same lazy loading (explosion/spaCy pull requests 12962 and 13721). If spaCy's package changes so that the
placeholders do not fit, spaCy is imported the usual way.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

CLI = "spacy.cli"


class CliPlaceholder(types.ModuleType):
    """Stands for one of spaCy's CLI modules until something of it is used."""

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system and pickle probing a module: not a use of the CLI
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:  # used while spaCy is being imported
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _info(*args, **kwargs):
    """spacy.info, imported on its first call."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def import_spacy() -> types.ModuleType:
    """The spacy module, imported without its CLI when this is its first import."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        import spacy  # not installed as a package: the plain import says what is wrong

        return spacy
    cli = CliPlaceholder(CLI)
    cli.__path__ = [os.path.join(location, "cli") for location in spec.submodule_search_locations]
    info = CliPlaceholder(f"{CLI}.info")
    info.info = _info
    cli.info = info
    placeholders = {CLI: cli, f"{CLI}.info": info}
    sys.modules.update(placeholders)
    try:
        import spacy
    except ImportError:
        spacy = None  # spaCy's package has changed: imported below without the placeholders
    finally:
        for name, placeholder in placeholders.items():
            if sys.modules.get(name) is placeholder:
                del sys.modules[name]
    if spacy is None:
        import spacy

        return spacy
    if not hasattr(spacy, "cli"):
        spacy.cli = cli  # `spacy.cli.download(…)` as after a plain import; the first use imports the real package
    return spacy
