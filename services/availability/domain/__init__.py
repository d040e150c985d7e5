"""Pure availability rules: floors, policies, snapshots, capacity. No I/O."""
