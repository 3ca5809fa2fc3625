"""Stage 3: a question becomes ranked passages — dense + BM25 fusion, filters, follow-ups, English→Chinese keywords."""
