"""The letters: rendering, filters, checks, samples and drafting (DESIGN §4)."""
