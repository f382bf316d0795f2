"""Which clients get a letter on a day (DESIGN §3)."""
