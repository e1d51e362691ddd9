"""Folder put on the target pytest's PYTHONPATH; holds only the one-file streaming plugin."""
