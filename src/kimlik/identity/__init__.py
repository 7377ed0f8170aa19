"""Identity: running resolution against the store, and people's merge decisions."""
