"""Use cases of the state service, written against ports."""
