"""RAG_TODAY: the asking date that relative words (今年, 去年, 现在) are read against."""
import datetime as dt

import pytest

from rag.config import Settings
from rag.errors import RagError


def test_today_from_the_environment():
    s = Settings.from_env({"RAG_TODAY": "2025-03-01"})
    assert s.today == "2025-03-01" and s.today_date() == dt.date(2025, 3, 1)


def test_today_defaults_to_the_real_date():
    assert Settings.from_env({}).today is None
    assert Settings.from_env({}).today_date() == dt.date.today()


def test_an_override_wins_and_a_bad_date_says_what_to_write():
    assert Settings.from_env({"RAG_TODAY": "2025-03-01"}, today="2024-01-02").today_date() == dt.date(2024, 1, 2)
    with pytest.raises(RagError, match="RAG_TODAY.*yyyy-mm-dd"):
        Settings.from_env({"RAG_TODAY": "2025-13-01"}).today_date()
