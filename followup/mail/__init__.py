"""Mail: message building, the Mailer protocol and its backends (DESIGN §5)."""
