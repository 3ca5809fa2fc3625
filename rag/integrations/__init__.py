"""Adapters that let other frameworks use the pipeline. Each imports its framework lazily."""
