"""Unit tests of the optimizer's domain: the day solver and the rescue re-pack."""
