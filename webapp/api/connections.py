"""The athlete's device connections (filled in by the connections issue)."""
