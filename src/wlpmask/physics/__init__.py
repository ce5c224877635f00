"""Small pure functions of the physics behind the process checks (DOMAIN.md 3-5)."""
