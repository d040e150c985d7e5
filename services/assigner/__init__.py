"""The assigner service: the assignment engine, holds and allocations, and the coordinator."""
