"""The HTTP shell: a FastAPI app around one Pipeline, with the Gradio chat page mounted at /.

    from rag.api import create_app, serve

Like the other shells it calls only `rag.pipeline.Pipeline` (and `rag.ui` for the page and its
upload helpers). Importing it imports fastapi; `import rag` does not.
"""
from rag.api.server import create_app, serve

__all__ = ["create_app", "serve"]
