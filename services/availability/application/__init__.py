"""Use cases of the availability service, written against ports."""
