"""Stage 2: passages become an index — embedders, the vector and BM25 stores, the build."""
