"""Provider tokens encrypted at rest with Fernet (from ``cryptography``).

TOKEN_ENCRYPTION_KEY holds one or more comma-separated Fernet keys: the first encrypts,
all decrypt.  To rotate: put a new key first, keep the old one after it, restart, run
``flask connections rotate-keys`` (re-encrypts every token with the new key), then drop
the old key.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from .config import ConfigError


class TokenCipher:
    def __init__(self, keys: list[str]):
        if not keys:
            raise ConfigError("TOKEN_ENCRYPTION_KEY is empty")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except (ValueError, TypeError):
            raise ConfigError("TOKEN_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes), "
                              "comma-separated; make one with: python -c 'from cryptography.fernet import "
                              "Fernet; print(Fernet.generate_key().decode())'") from None

    def encrypt(self, clear: str) -> str:
        return self._fernet.encrypt(clear.encode()).decode()

    def decrypt(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigError("a stored token cannot be decrypted with TOKEN_ENCRYPTION_KEY "
                              "(was a key removed before `flask connections rotate-keys`?)") from None

    def rotate(self, sealed: str) -> str:
        return self._fernet.rotate(sealed.encode()).decode()


def init_cipher(app: Flask) -> None:
    app.extensions["token_cipher"] = TokenCipher(app.config["TOKEN_ENCRYPTION_KEYS"])


def cipher() -> TokenCipher:
    return current_app.extensions["token_cipher"]
