"""What every domain shares: enums, errors, permissions, the API blueprint, reference data."""
