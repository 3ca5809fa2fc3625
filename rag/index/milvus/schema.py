"""The layout of a Milvus store: two collections, and what is kept in the first one's description.

`<name>` holds one row per passage (id "doc#ordinal", document id, ordinal, offsets, title, date,
source, file, the passage text, its vector and a sparse BM25 vector that Milvus computes itself
from the normalised text with the jieba analyzer), `<name>_docs` the full text of each document
(cut into parts of PART_CHARS; Milvus strings hold 64 KB). The embedding model, dimension and
chunk settings are kept in the passage collection's description and checked on open.
"""
from __future__ import annotations

import json

from rag.errors import IndexMissing, ModelMismatch

SCHEMA_VERSION = 1

PART_CHARS = 16000  # characters of a document per row of <name>_docs (<= 64 KB of UTF-8)
MAX_VARCHAR = 65535
IDF_DEPTH = 1024  # a term's passage frequency is counted exactly up to this many passages, then estimated
BUCKETS = 4096  # ... from the passages of 1/8, 1/64, 1/512 or 1/4096 of the buckets


def analyzer() -> dict:
    """jieba in the engine, as rag.index.tokenize does it here: lower case, words only, the same stopwords."""
    from rag.index.tokenize import STOPWORDS

    return {"tokenizer": "jieba", "filter": ["lowercase", "cnalphanumonly",
                                             {"type": "stop", "stop_words": sorted(STOPWORDS)}]}


def read_manifest(store) -> dict:
    """What the collection was built with (its description), or IndexMissing."""
    if not store.exists():
        raise IndexMissing(f"No collection {store.name!r} in Milvus at {store.uri}. Build it with "
                           f"`rag index [PATH ...] --store milvus:{store.uri}`.")
    info = store.call("reading the collection", "describe_collection", store.name)
    try:
        manifest = json.loads(info.get("description") or "")
        if manifest.get("schema") != SCHEMA_VERSION:
            raise ValueError(manifest.get("schema"))
    except (ValueError, AttributeError):
        raise ModelMismatch(
            f"Milvus collection {store.name!r} at {store.uri} was not made by this version of rag; "
            "choose another RAG_MILVUS_COLLECTION or drop it.") from None
    dims = [f.get("params", {}).get("dim") for f in info.get("fields", []) if f.get("name") == "vector"]
    if not dims or int(dims[0]) != int(manifest.get("dim", -1)):
        raise ModelMismatch(f"Milvus collection {store.name!r} has vectors of dimension {dims[0] if dims else None}, "
                            f"its description says {manifest.get('dim')}; drop it and index again.")
    return manifest


def create(store, settings, model: str, dim: int) -> dict:
    """Both collections, empty; returns the manifest kept in the passage collection's description."""
    from pymilvus import DataType, Function, FunctionType

    from rag.index.tokenize import TOKENIZER_NAME

    index = "FLAT" if store.lite_engine() else "HNSW"
    manifest = {"schema": SCHEMA_VERSION, "model": model, "dim": int(dim), "tokenizer": TOKENIZER_NAME,
                "analyzer": analyzer(), "chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap,
                "normalized": True, "metric": "IP", "index": index}
    c = store.client
    s = c.create_schema(auto_id=False, enable_dynamic_field=False, description=json.dumps(manifest))
    s.add_field("pid", DataType.VARCHAR, is_primary=True, max_length=MAX_VARCHAR)
    s.add_field("doc_id", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("ordinal", DataType.INT32)
    s.add_field("added", DataType.INT64)
    s.add_field("start", DataType.INT64)
    s.add_field("end", DataType.INT64)
    for name in ("title", "date", "source", "file"):
        s.add_field(name, DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("source_key", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("date_lo", DataType.VARCHAR, max_length=16)
    s.add_field("date_hi", DataType.VARCHAR, max_length=16)
    s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("bm25_text", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                analyzer_params=analyzer())
    s.add_field("bucket", DataType.INT32)  # a hash of pid mod BUCKETS: samples for counting common terms
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=int(dim))
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["bm25_text"],
                            output_field_names=["sparse"]))
    ip = c.prepare_index_params()
    if index == "FLAT":  # exact; Milvus Lite has FLAT and IVF_FLAT only
        ip.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        ip.add_index("vector", index_type="HNSW", metric_type="IP", params={"M": 16, "efConstruction": 200})
    ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    store.call("creating the passage collection", "create_collection", store.name, schema=s, index_params=ip,
              consistency_level="Strong")
    _create_docs(store)
    return manifest


def _create_docs(store) -> None:
    from pymilvus import DataType

    c = store.client
    d = c.create_schema(auto_id=False, enable_dynamic_field=False, description=json.dumps({"schema": SCHEMA_VERSION}))
    d.add_field("key", DataType.VARCHAR, is_primary=True, max_length=MAX_VARCHAR)
    d.add_field("doc_id", DataType.VARCHAR, max_length=MAX_VARCHAR)
    d.add_field("part", DataType.INT32)
    d.add_field("parts", DataType.INT32)
    for name in ("title", "date", "source", "file", "hash"):
        d.add_field(name, DataType.VARCHAR, max_length=MAX_VARCHAR)
    d.add_field("chars", DataType.INT64)
    d.add_field("passages", DataType.INT32)
    d.add_field("added", DataType.INT64)
    d.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
    d.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
    dp = c.prepare_index_params()
    dp.add_index("unused", index_type="FLAT", metric_type="L2")
    store.call("creating the document collection", "create_collection", store.docs_name, schema=d,
               index_params=dp, consistency_level="Strong")


def check_built(manifest: dict, store, model: str, settings, dim: int) -> None:
    """ModelMismatch unless the collection was built with this model, dimension and chunking."""
    from rag.index.tokenize import TOKENIZER_NAME

    if manifest.get("model") != model or int(manifest.get("dim", -1)) != dim:
        raise ModelMismatch(
            f"Milvus collection {store.name!r} holds vectors of {manifest.get('model')!r} "
            f"({manifest.get('dim')}-d), but {model!r} ({dim}-d) is selected. Select {manifest.get('model')!r} "
            "(RAG_MODEL), or use another collection (RAG_MILVUS_COLLECTION) for this model.")
    built = (manifest.get("chunk_size"), manifest.get("chunk_overlap"), manifest.get("tokenizer"))
    if built != (settings.chunk_size, settings.chunk_overlap, TOKENIZER_NAME):
        raise ModelMismatch(
            f"Milvus collection {store.name!r} was built with chunk size {built[0]}, overlap {built[1]}, "
            f"tokenizer {built[2]}; these settings differ. Use the same settings, or another collection "
            "(RAG_MILVUS_COLLECTION), or drop this one and index again.")


def bucket(pid: str) -> int:
    """A passage's hash bucket (0 .. BUCKETS-1): samples for counting common terms."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(pid.encode("utf-8"), digest_size=4).digest(), "little") % BUCKETS
