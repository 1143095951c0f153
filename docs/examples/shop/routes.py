"""The HTTP API."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import requests
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from shop import services
from shop.db import get_db
from shop.models import Order
from shop.payments import payment_status
from shop.schemas import OrderIn, OrderOut, ProductOut
from shop.settings import settings

router = APIRouter(prefix="/api")


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/orders", response_model=OrderOut, status_code=201)
def create_order(order_in: OrderIn, db: Session = Depends(get_db)) -> Order:
    """Clean: a sync endpoint, so FastAPI runs it in its thread pool."""
    try:
        return services.place_order(db, order_in)
    except services.OutOfStock as error:
        raise HTTPException(409, f"out of stock: {error}") from error


@router.post("/orders/{order_id}/pay")
async def pay_order(order_id: int, db: Session = Depends(get_db)) -> dict[str, str]:
    # review: a sync Session in an `async def` endpoint: every query blocks the event loop.
    order = db.get(Order, order_id)
    if order is None:
        raise HTTPException(404, "no such order")
    # review: `pay` makes a blocking HTTP call; this stalls every other request.
    services.pay(db, order)
    return {"status": order.status}


@router.get("/orders/{order_id}/payment")
async def order_payment(order_id: int, payment_id: str) -> dict[str, str]:
    # review: a new client (and connection pool) per request; share one from the lifespan.
    async with httpx.AsyncClient() as client:
        status = await payment_status(client, payment_id)
    return {"order": str(order_id), "payment": status}


@router.get("/products/search", response_model=list[ProductOut])
def search(term: str, sort: str = "title", db: Session = Depends(get_db)) -> list[Any]:
    return services.search_products(db, term, sort)


@router.post("/products/restock")
async def restock(quantities: dict, db: Session = Depends(get_db())) -> dict[str, int]:
    # review: `Depends(get_db())` calls the dependency once at import time, and a bare
    # `dict` body gets no validation and no schema.
    services.restock(db, quantities)
    return {"updated": len(quantities)}


@router.get("/exchange-rate")
async def exchange_rate(currency: str) -> dict[str, float]:
    # review: requests in an async endpoint blocks the event loop.
    response = requests.get(
        f"https://rates.example.com/{currency}", timeout=settings.payments_timeout_s
    )
    return {"rate": float(response.json()["rate"])}


@router.post("/orders/{order_id}/remind")
async def remind(order_id: int) -> dict[str, bool]:
    # review: the task is not kept anywhere and can be garbage collected mid-flight.
    asyncio.create_task(send_reminder(order_id))
    return {"scheduled": True}


async def send_reminder(order_id: int) -> None:
    # review: time.sleep and open() in a coroutine block the event loop.
    time.sleep(1)
    with open(f"/var/spool/shop/reminders/{order_id}", "w") as handle:
        handle.write("remind\n")
