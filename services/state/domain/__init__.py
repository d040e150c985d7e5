"""Pure booking lifecycle: states, transitions, validation. No I/O."""
