"""Accounts and access: users, sessions, API and write keys, roles, audit."""
