"""Verifiable credentials, framework-free: keys, Data Integrity and JOSE proofs, status lists, checks."""
