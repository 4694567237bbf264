"""The public catalogue: search, solution pages, verifiable badges, verification."""
