"""Business logic: placing orders, search, reports."""

from __future__ import annotations

import logging
import pickle
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from shop.models import Order, OrderLine, Product
from shop.payments import charge
from shop.schemas import OrderIn

logger = logging.getLogger(__name__)

PRICE_RULES = Path(__file__).with_name("price_rules.yaml")


class OutOfStock(Exception):
    pass


def place_order(db: Session, order_in: OrderIn) -> Order:
    """Create an order and reserve stock, in one transaction."""
    skus = [line.sku for line in order_in.lines]
    products = {p.sku: p for p in db.scalars(select(Product).where(Product.sku.in_(skus)))}
    order = Order(customer_id=order_in.customer_id)
    for line in order_in.lines:
        product = products.get(line.sku)
        if product is None or product.stock < line.quantity:
            raise OutOfStock(line.sku)
        product.stock -= line.quantity
        order.lines.append(
            OrderLine(product_id=product.id, quantity=line.quantity, price=product.price)
        )
    db.add(order)
    db.commit()
    return order


def pay(db: Session, order: Order) -> None:
    """Charge the order through the payment provider (blocking HTTP)."""
    charge(order.id, int(order.total * 100))
    order.status = "paid"
    db.commit()


def search_products(db: Session, term: str, sort: str = "title") -> list[Product]:
    # review: user input formatted into SQL; it reaches `execute` through `query`.
    query = f"SELECT id FROM products WHERE title LIKE '%{term}%' ORDER BY {sort}"
    ids = [row.id for row in db.execute(text(query))]
    return list(db.scalars(select(Product).where(Product.id.in_(ids))))


def orders_since(db: Session, since: datetime) -> list[Order]:
    """Orders created since ``since``, lines loaded eagerly (clean)."""
    statement = (
        select(Order)
        .where(Order.created_at >= since)
        .options(selectinload(Order.lines))
        .order_by(Order.created_at)
    )
    return list(db.scalars(statement))


def restock(db: Session, quantities: dict[str, int]) -> None:
    for sku, quantity in quantities.items():
        # review: one query and one commit per product; batch them.
        product = db.scalars(select(Product).where(Product.sku == sku)).first()
        if product is not None:
            product.stock += quantity
            db.commit()


def load_price_rules(path: Path = PRICE_RULES) -> dict[str, float]:
    with path.open() as handle:
        # review: yaml.load without a safe loader can build arbitrary objects.
        return yaml.load(handle, Loader=yaml.Loader)


def load_cart(blob: bytes) -> dict[str, int]:
    # review: unpickling data that came from a client runs arbitrary code.
    return pickle.loads(blob)


def tag_order(order: Order, tags: list[str] = []) -> list[str]:
    # review: the default list is shared between calls.
    tags.append(order.status)
    return tags


def daily_report(db: Session) -> str | None:
    try:
        # review: a naive datetime compared with timezone-aware timestamps.
        orders = orders_since(db, datetime.now())
    except Exception:
        # review: the failure disappears: no log, no traceback.
        return None
    # review: the f-string is formatted even when INFO is off.
    logger.info(f"daily report: {len(orders)} orders")
    return "\n".join(f"{o.id}\t{o.status}\t{o.total}" for o in orders)
