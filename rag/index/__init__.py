"""Stage 2: passages become an index — the vector and BM25 stores, the build (embedders: rag/models/)."""
