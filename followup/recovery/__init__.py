"""Service recovery: special guarantees for clients who came back after an error
(``guarantees``: the cadence and expiry; ``lifecycle``: recovery, outcomes, claims,
cancelling)."""
