"""The HTTP shell: a FastAPI app around one Pipeline; the command line mounts the chat page at /.

    from rag.api import create_app, serve
    from rag.ui import mount
    serve(pipeline, page=mount)

Like the other shells it calls only `rag.pipeline.Pipeline`, `rag.documents` and the types, never
another shell. Importing it imports fastapi; `import rag` does not.
"""
from rag.api.server import create_app, serve

__all__ = ["create_app", "serve"]
