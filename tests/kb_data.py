"""Invented articles for the knowledge-base tests: two collections with different documents, and a
fact of the same kind in each (made-up places and figures)."""
from __future__ import annotations

from pathlib import Path

NEWS = {
    "qingshi.txt": "青石村发展乡村旅游\n2024年，青石村接待游客约12万人次，旅游收入达86万元。\n村党支部书记王建国表示，明年将继续发展民宿产业。\n",
    "bridge.txt": "柳溪镇新桥通车\n2024年5月，柳溪镇跨河新桥正式通车，全长320米。\n",
}
POLICY = {
    "subsidy.txt": "石门县民宿补贴办法\n对新建民宿，石门县每间客房一次性补贴3000元。\n2024年，石门县接待游客约45万人次。\n",
}
DEFAULT_DOCS = {"city.txt": "永康市财政简报\n2024年，永康市一般公共预算收入达95亿元。\n"}
Q_NEWS = "柳溪镇新桥全长多少米？"  # only news holds it
Q_POLICY = "石门县新建民宿每间客房补贴多少元？"  # only policy holds it
Q_BOTH = "2024年接待游客多少人次？"  # both hold a figure


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def library_with_two(root: Path):
    """(default pipeline, Library) under RAG_HOME=root: default (one city article), news, policy;
    all indexed with the fake embedder."""
    from rag.config import Settings
    from rag.library import Library
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    settings = Settings(home=root, corpus_dir=root / "corpus", index_dir=root / "index", model="fake-hashing",
                        cache_dir=root / "cache")
    write(settings.corpus_dir, DEFAULT_DOCS)
    default = Pipeline(settings, HashingEmbedder())
    default.build()
    lib = Library(default=default)
    for name, docs in (("news", NEWS), ("policy", POLICY)):
        lib.create(name, title=f"{name} title", description=f"the {name} collection")
        write(root / "kbs" / name / "corpus", docs)
        lib.pipeline(name).build()
    return default, lib
