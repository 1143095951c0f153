"""Request and response models."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class LineIn(BaseModel):
    sku: str
    quantity: int = Field(gt=0, le=100)


class OrderIn(BaseModel):
    customer_id: int
    lines: list[LineIn] = Field(min_length=1)


class OrderOut(BaseModel):
    id: int
    status: str
    total: Decimal
    created_at: datetime


class ProductOut(BaseModel):
    sku: str
    title: str
    price: Decimal
    stock: int
