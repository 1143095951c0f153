"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default_factory=lambda: os.environ.get("DATABASE_URL", "sqlite:///./shop.db")
    )
    payments_url: str = field(
        default_factory=lambda: os.environ.get("PAYMENTS_URL", "http://payments.internal")
    )
    payments_timeout_s: float = 5.0
    worker_interval_s: float = 30.0
    allowed_origins: tuple[str, ...] = ("https://shop.example.com",)


settings = Settings()

# review: a credential in source control; read it from the environment like the others.
payments_api_key = "sk_live_51HxQpL2eZvKYlo2C0zq8Xz"
