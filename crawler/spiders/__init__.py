"""Spiders: ``base`` holds the shared title/link rules and report assembly,
``portal`` the one generic discovery spider."""
