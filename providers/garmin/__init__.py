"""Garmin Connect Training API V2: the converter (convert.py) and the client (api.py)."""
