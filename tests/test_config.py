from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import RagError


def test_env_overrides_defaults_and_arguments_override_env():
    s = Settings.from_env({"RAG_TOP_K": "3", "RAG_INDEX_DIR": "/x/idx", "RAG_MODEL": "m"}, model="n", port=None)
    assert s.top_k == 3 and s.index_dir == Path("/x/idx") and s.model == "n" and s.port == 7860


def test_bad_number_is_a_clear_error():
    with pytest.raises(RagError, match="RAG|whole number"):
        Settings.from_env({"RAG_PORT": "abc"})


def test_import_rag_is_light():
    import subprocess
    import sys

    code = "import sys, rag, rag.cli, rag.pipeline; print([m for m in ('torch','sentence_transformers','faiss','jieba','gradio') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
