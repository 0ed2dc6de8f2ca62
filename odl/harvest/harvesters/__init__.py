"""One module per kind of source, all in the same shape (see base.py)."""
