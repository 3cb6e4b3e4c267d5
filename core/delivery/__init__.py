"""The delivery rules as plain functions of facts (no Flask, no database): which provider
(routing.py), when (window.py), who first (priority.py), and the one decision that
combines them for a session revision (decision.py)."""
