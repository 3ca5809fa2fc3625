"""The knowledge bases on disk: `default` from the settings, the others one kb.json each under
RAG_HOME/kbs/NAME/ (written whole, then renamed into place, so a reader never sees half of one)."""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.config import Settings
from rag.errors import RagError
from rag.library.names import ALIAS, DEFAULT, check_name, unknown
from rag.modes import RETRIEVAL_MODES

KBS = "kbs"
META = "kb.json"
DEFAULT_TITLE = "默认知识库 Default"
MAX_TITLE, MAX_DESCRIPTION = 200, 2000


@dataclass(frozen=True)
class KnowledgeBase:
    name: str
    title: str
    description: str = ""
    store: str = "local"  # Settings.store: local | milvus:URI (then the collection is kb_NAME)
    mode: str | None = None  # its retrieval mode, when it differs from the server's
    corpus: str | None = None  # an outside corpus folder (--corpus DIR); None: kbs/NAME/corpus
    created: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def resolve(home: Path, path: Path) -> Path:
    """A relative folder of the settings, read against RAG_HOME."""
    path = Path(path)
    return path if path.is_absolute() else Path(home) / path


class Registry:
    """Reads and writes the knowledge bases' descriptions; knows nothing of indexes or pipelines."""

    def __init__(self, settings: Settings):
        self.settings = settings
        home = Path(settings.home)
        self.home = home if home == Path(".") else home.resolve()  # resolved folders resolve to themselves
        self.root = self.home / KBS

    def default(self) -> KnowledgeBase:
        saved = self._read(DEFAULT)  # kbs/default/kb.json may give `default` a title and description
        return KnowledgeBase(DEFAULT, saved.title if saved else DEFAULT_TITLE, saved.description if saved else "",
                             self.settings.store, None, None, saved.created if saved else "")

    def names(self) -> list[str]:
        found = []
        if self.root.is_dir():
            found = sorted(p.parent.name for p in self.root.glob(f"*/{META}") if p.parent.name != DEFAULT)
        return [DEFAULT, *(n for n in found if _valid(n))]

    def get(self, name: str) -> KnowledgeBase:
        check_name(name)
        if name == DEFAULT:
            return self.default()
        kb = self._read(name)
        if kb is None:
            raise unknown(name)
        return kb

    def exists(self, name: str) -> bool:
        return name == DEFAULT or (self.root / name / META).is_file()

    def _read(self, name: str) -> KnowledgeBase | None:
        try:
            data = json.loads((self.root / name / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        fields = KnowledgeBase.__dataclass_fields__
        try:
            return KnowledgeBase(**{k: v for k, v in data.items() if k in fields and k != "name"}, name=name)
        except TypeError:
            return None

    def settings_for(self, kb: KnowledgeBase) -> Settings:
        """The Settings of a knowledge base's pipeline: its folders, store and mode."""
        s = self.settings
        if kb.name == DEFAULT:
            return s.with_(corpus_dir=resolve(self.home, s.corpus_dir), index_dir=resolve(self.home, s.index_dir))
        folder = self.root / kb.name
        changes = dict(corpus_dir=Path(kb.corpus) if kb.corpus else folder / "corpus", index_dir=folder / "index",
                       store=kb.store, mode=kb.mode)
        if not kb.store.startswith("local"):
            changes["milvus_collection"] = f"kb_{kb.name}"
        return s.with_(**changes)

    def create(self, name: str, title: str | None = None, description: str = "", corpus: str | Path | None = None,
               store: str | None = None, mode: str | None = None) -> KnowledgeBase:
        """A new knowledge base: its folder and kb.json (RagError, nothing written, when it cannot be)."""
        check_name(name)
        if name in (DEFAULT, ALIAS):
            raise RagError(f"{name!r} is reserved; choose another name.")
        kb = KnowledgeBase(name, _text(title or name, MAX_TITLE, "title"), _text(description or "", MAX_DESCRIPTION,
                           "description"), _store(store or self.settings.store), _mode(mode), _corpus(corpus),
                           time.strftime("%Y-%m-%dT%H:%M:%S"))
        folder = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()  # atomic: two creating the same name, one wins
        except FileExistsError:
            raise RagError(f"A knowledge base {name!r} exists already.") from None
        try:
            if kb.corpus is None:
                (folder / "corpus").mkdir()
            tmp = folder / (META + ".tmp")
            tmp.write_text(json.dumps(kb.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, folder / META)
        except OSError as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise RagError(f"Could not create knowledge base {name!r}: {err.strerror or err}.") from None
        return kb

    def remove(self, name: str) -> None:
        """Remove kbs/NAME (its kb.json first, so it is gone at once); an outside corpus folder stays."""
        folder = self.root / check_name(name)
        if name == DEFAULT:
            raise RagError("The knowledge base 'default' cannot be deleted.")
        try:
            os.replace(folder / META, folder / (META + ".deleted"))
        except FileNotFoundError:
            raise unknown(name) from None
        shutil.rmtree(folder, ignore_errors=True)


def _valid(name: str) -> bool:
    try:
        check_name(name)
        return True
    except RagError:
        return False


def _text(value, limit: int, what: str) -> str:
    if not isinstance(value, str):
        raise RagError(f"The {what} must be text.")
    value = " ".join(value.split()) if what == "title" else value.strip()
    if len(value) > limit:
        raise RagError(f"The {what} is too long: at most {limit} characters.")
    return value


def _store(store: str) -> str:
    from rag.index.stores import parse_store

    kind, uri = parse_store(store)  # RagError for a misspelt one
    return "local" if kind == "local" else f"milvus:{uri}"


def _mode(mode: str | None) -> str | None:
    if mode is not None and mode not in RETRIEVAL_MODES:
        raise RagError(f"Unknown retrieval mode {mode!r}; choose one of {', '.join(RETRIEVAL_MODES)}.")
    return mode


def _corpus(corpus) -> str | None:
    if corpus is None or corpus == "":
        return None
    path = Path(corpus).expanduser().resolve()
    if not path.is_dir():
        raise RagError(f"No folder {str(corpus)[:200]!r} for the corpus; create it or leave --corpus out.")
    return str(path)
