"""Pure assignment rules: candidates, strategies, ranking. No I/O."""
