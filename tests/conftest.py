import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_2f3ce927338b60c1.txt"


@pytest.fixture
def fake_settings(tmp_path):
    from rag.config import Settings

    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", model="fake-hashing",
                    cache_dir=tmp_path / "cache")


@pytest.fixture
def fake_pipeline(fake_settings):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    fake_settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    return Pipeline(fake_settings, HashingEmbedder())


@pytest.fixture
def fake_built(fake_pipeline, fake_settings):
    """build(files): write {file name: text, or rows written as JSON lines} into the fake corpus,
    build the fake pipeline over it and return the pipeline."""
    from tests.helpers import write_jsonl

    def build(files: dict):
        for name, content in files.items():
            path = fake_settings.corpus_dir / name
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                write_jsonl(path, content)
        fake_pipeline.build()
        return fake_pipeline

    return build


@pytest.fixture(scope="session")
def seed_pipeline(tmp_path_factory):
    """The seed page indexed once per session with the real default model."""
    if not SEED.exists():
        pytest.skip("shared seed page not present")
    from rag.config import Settings
    from rag.pipeline import Pipeline

    root = tmp_path_factory.mktemp("seed")
    settings = Settings(corpus_dir=REPO / "corpus", index_dir=root / "index")
    pipe = Pipeline(settings)
    pipe.build([SEED])
    return pipe


@pytest.fixture(scope="module")
def llm():
    """A scripted OpenAI-compatible server on 127.0.0.1 (tests/llm_servers.py), one per test module."""
    from tests.llm_servers import ScriptedLLM

    server = ScriptedLLM()
    yield server
    server.close()
