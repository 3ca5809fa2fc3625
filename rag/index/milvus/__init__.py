"""The Milvus store: one backend of rag.index.backend.Store (see store.py)."""
