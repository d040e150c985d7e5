"""The four maitred services; each talks to the others through generated stubs only."""
