"""The optimizer service: re-plans a venue's day and re-packs windows to seat one more party."""
