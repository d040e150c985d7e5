"""Plumbing every maitred service uses: bootstrap, interceptors, settings, errors, stores."""
