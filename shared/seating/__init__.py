"""Pure seating geometry shared by availability, assigner and optimizer: tables, combinations."""
