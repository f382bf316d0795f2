"""Service recovery: special guarantees for clients who came back after an error."""
