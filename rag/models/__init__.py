"""The models: embedders (the Embedder protocol in embed.py; ONNX Runtime by default), the span
reader's runtimes (reader.py picks ONNX or torch), the ONNX export and cache, and the offline
assembly of the default multilingual-e5-small folder. Imports nothing from index/, retrieve/ or answer/."""
