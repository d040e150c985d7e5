"""Use cases of the assigner service, written against ports."""
