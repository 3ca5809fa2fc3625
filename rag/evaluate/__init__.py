"""Evaluation helpers: answer, retrieval and statistics metrics as small pure functions.

Plain Python only; importing this package loads nothing heavy.
"""
