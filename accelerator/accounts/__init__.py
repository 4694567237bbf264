"""Accounts: users and their roles, EdTech organizations, teacher profiles, API tokens."""
